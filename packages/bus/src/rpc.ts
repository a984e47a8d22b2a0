import { type Msg, type NatsConnection, headers as natsHeaders, type Subscription } from '@nats-io/nats-core';
import { formatIssues, type RpcMap, type RpcName, rpcs, type SchemaKey, validate } from '@ocp/contracts';
import { context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { FailureClassifier } from './delivery.ts';
import { BusClosedError, RpcError, RpcUnavailableError } from './errors.ts';
import {
  childTraceparent,
  endSpan,
  extractMessageContext,
  injectMessageContext,
  parentContext,
  startMessageSpan,
  traceIdOf,
  traceparentOf,
} from './trace.ts';
import type { BusHooks, RpcHandler } from './types.ts';

/** Answers request/reply methods of the catalog, in the queue group of the serving service. */
export interface RpcServer {
  /** Serves `name` with `handler`; the request and the reply are both checked against their schemas. */
  serve<N extends RpcName>(name: N, handler: RpcHandler<N>): Subscription;
}

/** Calls request/reply methods of the catalog. */
export interface RpcClient {
  /**
   * Throws `RpcError` with the server's code, or `RpcUnavailableError` when nobody answered in time.
   * The request is a span in the trace `traceparent` names, or else in the active one.
   */
  request<N extends RpcName>(
    name: N,
    request: RpcMap[N]['request'],
    opts?: { timeoutMs?: number; traceparent?: string },
  ): Promise<RpcMap[N]['reply']>;
}

export interface RpcServerOptions {
  logger: Logger;
  /** Makes the span of each request handled (`process <subject>`, SERVER). */
  tracer: Tracer;
  /** Handlers running at once, across every method this server serves. */
  concurrency: number;
  /**
   * Tells a handler's failure that passes by itself (its database restarting: answered
   * `DATABASE_UNAVAILABLE`, which callers retry) from one the request's own values cause (a value
   * the database refuses: answered `VALIDATION_FAILED` with the reason), instead of `INTERNAL`.
   */
  classifyFailure?: FailureClassifier | undefined;
  hooks?: BusHooks | undefined;
}

export interface ClosableRpcServer extends RpcServer {
  /**
   * Stops taking requests (the subscriptions are drained, so the next request goes to another member
   * of the queue group), then waits until every request already taken has been answered.
   */
  close(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** At most `size` holders at once; the others wait in the order they came. */
function slots(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free--;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** Codes of answers that say the service failed, not the request: the span is marked as an error. */
const SERVICE_FAILURES = new Set(['INTERNAL', 'DATABASE_UNAVAILABLE']);

/** Notes an error answer on the request's span. */
function noteAnswer(span: Span, body: unknown): void {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  if (typeof code !== 'string') return;
  span.setAttribute('error.type', code);
  if (SERVICE_FAILURES.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/**
 * The request/reply server of one connection. Requests past `concurrency` wait in this process for a
 * slot, in arrival order; the caller's timeout keeps running meanwhile.
 */
export function rpcServer(nc: NatsConnection, opts: RpcServerOptions): ClosableRpcServer {
  const { logger } = opts;
  const limit = slots(opts.concurrency);
  const subs = new Set<Subscription>();
  const taken = new Set<Promise<void>>();
  let closing = false;

  /**
   * Answers one request inside a SERVER span, child of the caller's span: whatever the handler
   * publishes or writes with its `traceparent` continues the caller's trace. Returns what the answer
   * was (`ok` or its error code), for the metrics.
   */
  async function answer<N extends RpcName>(name: N, handler: RpcHandler<N>, msg: Msg): Promise<string> {
    const def = rpcs[name];
    const { span, context: ctx } = startMessageSpan(
      opts.tracer,
      'process',
      SpanKind.SERVER,
      def.subject,
      extractMessageContext(msg.headers),
      { 'messaging.consumer.group.name': def.server, 'rpc.method': name },
    );
    const traceparent = traceparentOf(ctx, msg.headers?.get('traceparent'));
    let code: string;
    try {
      code = await context.with(ctx, () => answerIn(def, handler, msg, span, traceparent));
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
    endSpan(span);
    return code;
  }

  async function answerIn<N extends RpcName>(
    def: (typeof rpcs)[N],
    handler: RpcHandler<N>,
    msg: Msg,
    span: Span,
    traceparent: string,
  ): Promise<string> {
    const reply = (body: unknown): string => {
      noteAnswer(span, body);
      if (msg.reply) msg.respond(enc.encode(JSON.stringify(body)));
      return (body as { error?: { code?: string } }).error?.code ?? 'ok';
    };
    let request: unknown;
    try {
      request = JSON.parse(dec.decode(msg.data));
    } catch {
      return reply({ error: { code: 'BAD_REQUEST', message: 'the request is not JSON' } });
    }
    const checked = validate<RpcMap[N]['request']>(def.request as SchemaKey, request);
    if (!checked.ok) {
      const first = checked.issues[0];
      return reply({
        error: {
          code: 'VALIDATION_FAILED',
          message: formatIssues(checked.issues),
          ...(first ? { field: first.path } : {}),
        },
      });
    }
    await limit.acquire();
    let result: RpcMap[N]['reply'];
    try {
      result = await handler(checked.value, { traceparent });
    } catch (e) {
      if (e instanceof RpcError) {
        return reply({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
      }
      const where = { err: e, subject: def.subject, traceId: traceIdOf(traceparent) };
      span.recordException(e instanceof Error ? e : new Error(String(e)));
      const kind = opts.classifyFailure?.(e);
      if (kind?.kind === 'transient') {
        logger.warn(where, 'request failed for a passing reason');
        return reply({
          error: {
            code: 'DATABASE_UNAVAILABLE',
            message: "the service's database is not available for a moment; try again shortly",
          },
        });
      }
      // Logged as an error all the same: a refusal the schemas let through may also be a bug.
      logger.error(where, 'request failed');
      if (kind?.kind === 'permanent') {
        return reply({
          error: {
            code: 'VALIDATION_FAILED',
            message: `the request holds a value that cannot be stored: ${kind.reason}`,
          },
        });
      }
      return reply({ error: { code: 'INTERNAL', message: 'the service failed to answer; see its logs' } });
    } finally {
      limit.release();
    }
    // The reply honours its contract too: a server bug must not reach callers as data.
    const out = validate(def.reply as SchemaKey, result);
    if (!out.ok) {
      logger.error(
        { subject: def.subject, issues: formatIssues(out.issues), traceId: traceIdOf(traceparent) },
        'reply fails its schema',
      );
      return reply({ error: { code: 'INTERNAL', message: 'the service failed to answer; see its logs' } });
    }
    reply(result);
    return 'ok';
  }

  return {
    serve<N extends RpcName>(name: N, handler: RpcHandler<N>): Subscription {
      const def = rpcs[name];
      if (closing) throw new BusClosedError(`the bus is closed; not serving ${def.subject}`);
      const sub = nc.subscribe(def.subject, {
        queue: def.server,
        callback: (err, msg) => {
          if (err) {
            logger.error({ err, subject: def.subject }, 'subscription error');
            return;
          }
          const arrived = performance.now();
          const p = answer(name, handler, msg).then(
            (code) => opts.hooks?.onServed?.(name, code, performance.now() - arrived),
            (e: unknown) => logger.error({ err: e, subject: def.subject }, 'could not answer a request'),
          );
          taken.add(p);
          void p.finally(() => taken.delete(p));
        },
      });
      subs.add(sub);
      return sub;
    },
    async close() {
      closing = true;
      // A drain unsubscribes at once, then returns when every message the server had sent before the
      // unsubscribe has reached the callback, so `taken` holds them all afterwards.
      await Promise.all(
        [...subs].map((s) => (s.isClosed() || nc.isClosed() ? undefined : s.drain().catch(() => {}))),
      );
      subs.clear();
      await Promise.allSettled([...taken]);
    },
  };
}

/** The request/reply client of one connection; `tracer` makes each request's span (`send <subject>`, PRODUCER). */
export function rpcClient(nc: NatsConnection, tracer: Tracer): RpcClient {
  return {
    async request<N extends RpcName>(
      name: N,
      body: RpcMap[N]['request'],
      ropts: { timeoutMs?: number; traceparent?: string } = {},
    ): Promise<RpcMap[N]['reply']> {
      const def = rpcs[name];
      const payload = enc.encode(JSON.stringify(body));
      const { span, context: ctx } = startMessageSpan(
        tracer,
        'send',
        SpanKind.PRODUCER,
        def.subject,
        parentContext(ropts.traceparent),
        { 'rpc.method': name, 'messaging.message.body.size': payload.byteLength },
      );
      const h = natsHeaders();
      injectMessageContext(ctx, h, () => childTraceparent(ropts.traceparent));
      let answer: unknown;
      try {
        const msg = await context.with(ctx, () =>
          nc.request(def.subject, payload, { timeout: ropts.timeoutMs ?? 5000, headers: h }),
        );
        answer = JSON.parse(dec.decode(msg.data));
      } catch (e) {
        const unavailable = new RpcUnavailableError(`${def.server} service did not answer ${def.subject}`, {
          cause: e,
        });
        endSpan(span, unavailable);
        throw unavailable;
      }
      noteAnswer(span, answer);
      endSpan(span);
      const err = (answer as { error?: { code: string; message: string; field?: string } }).error;
      if (err) throw RpcError.fromReply(err);
      return answer as RpcMap[N]['reply'];
    },
  };
}
