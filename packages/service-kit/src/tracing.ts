import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  logs,
  ProxyTracerProvider,
  propagation,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import type { CommonConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** The `OTEL_*` settings of the config every service shares. */
export type TracingConfig = Pick<
  CommonConfig,
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_TRACES_EXPORTER'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_RESOURCE_ATTRIBUTES'
  | 'OTEL_TRACES_SAMPLER'
  | 'OTEL_TRACES_SAMPLER_ARG'
>;

export class TracingError extends Error {
  override name = 'TracingError';
}

/**
 * Whether a service traces: not when `OTEL_SDK_DISABLED` is true, nor when `OTEL_TRACES_EXPORTER`
 * is `none`; otherwise when an exporter is named (`OTEL_TRACES_EXPORTER`) or an OTLP endpoint is
 * set (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). Off by default: a
 * service with no `OTEL_*` setting starts no SDK.
 */
export function tracingEnabled(config: Partial<TracingConfig>): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  const exporters = config.OTEL_TRACES_EXPORTER?.split(',').map((s) => s.trim());
  if (exporters?.length) return !exporters.includes('none');
  return Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry tracer provider is registered in this process. OTel's global providers
 * are process-wide: several services started in one process (the tests do) share the one the first
 * started, whatever their names.
 */
export function tracingStarted(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}

/** The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name; none: the SDK's default. */
export function samplerOf(config: Partial<TracingConfig>): Sampler | undefined {
  const ratio = () => new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG ?? 1);
  switch (config.OTEL_TRACES_SAMPLER) {
    case undefined:
      return undefined;
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
  }
}

/**
 * The attributes of `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key=value`, values percent-encoded), read
 * from the parsed config rather than by the SDK's own detector. A pair without `=` or with a value
 * that is not valid percent-encoding is refused, naming it.
 */
export function resourceAttributesOf(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (list ?? '').split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq < 1 || !key) throw new TracingError(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not key=value`);
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new TracingError(`OTEL_RESOURCE_ATTRIBUTES: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}

/** A started OpenTelemetry SDK: the process's tracer provider, until `shutdown`. */
export interface Tracing {
  /** Exports the spans that ended and wait in a batch. */
  forceFlush(): Promise<void>;
  /**
   * Exports what is left, stops the SDK and releases OTel's global providers, so that the process
   * may start tracing again (a test after another). Safe to call more than once.
   */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of the resource, unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  /** The parsed `OTEL_*` settings: the sampler and the resource come from them. */
  config?: Partial<TracingConfig>;
  /**
   * Where spans go, instead of the exporter `OTEL_TRACES_EXPORTER` and the `OTEL_EXPORTER_OTLP_*`
   * variables name (the SDK reads those itself): a test gives an in-memory exporter's processor.
   */
  spanProcessors?: SpanProcessor[];
  /**
   * Where the SDK's own warnings and errors go (an export the collector refused or did not take),
   * as JSON log lines with `component: "opentelemetry"`; without one they are dropped.
   */
  logger?: Logger;
}

/** OpenTelemetry's diagnostics as log lines of `logger`. */
function diagnosticsTo(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]) =>
      log[level](args.length > 0 ? { details: args } : {}, message);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('trace') };
}

/**
 * Starts the OpenTelemetry Node SDK for traces only (no metrics, which are Prometheus's, nor logs,
 * which go to stdout), and registers it as the process's tracer provider, W3C trace context and
 * baggage as the propagators and AsyncLocalStorage as the context manager. Once per process:
 * throws `TracingError` when a provider is registered already (`tracingStarted`).
 */
export function startTracing(opts: TracingOptions): Tracing {
  if (tracingStarted())
    throw new TracingError('an OpenTelemetry tracer provider is registered in this process already');
  const config = opts.config ?? {};
  const sampler = samplerOf(config);
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME ?? opts.serviceName,
    resource: defaultResource().merge(
      resourceFromAttributes(resourceAttributesOf(config.OTEL_RESOURCE_ATTRIBUTES)),
    ),
    // The SDK's defaults less its environment detector: the resource's attributes come from the
    // parsed config above.
    resourceDetectors: [serviceInstanceIdDetector, processDetector, hostDetector, osDetector],
    // The platform's messages carry W3C trace context, whatever OTEL_PROPAGATORS says.
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    ...(sampler ? { sampler } : {}),
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
    metricReaders: [],
    logRecordProcessors: [],
  });
  // After the SDK's constructor, which sets a console logger of its own when OTEL_LOG_LEVEL is set.
  if (opts.logger)
    diag.setLogger(diagnosticsTo(opts.logger), {
      logLevel: DiagLogLevel.WARN,
      suppressOverrideMessage: true,
    });
  sdk.start();
  const provider = trace.getTracerProvider();
  if (!tracingStarted()) {
    if (opts.logger) diag.disable();
    throw new TracingError(
      'the OpenTelemetry SDK started no tracer provider (OTEL_SDK_DISABLED, or OTEL_TRACES_EXPORTER=none, in the environment)',
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    async forceFlush() {
      const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
      await (delegate as { forceFlush?: () => Promise<void> }).forceFlush?.();
    },
    shutdown() {
      stopped ??= sdk.shutdown().finally(() => {
        trace.disable();
        propagation.disable();
        context.disable();
        logs.disable();
        if (opts.logger) diag.disable();
      });
      return stopped;
    },
  };
}
