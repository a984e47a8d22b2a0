import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** A JSON Schema of a flat config: each property is read from the environment variable of its name. */
export interface ConfigSchema {
  type: 'object';
  properties: Record<
    string,
    {
      type: 'string' | 'integer' | 'number' | 'boolean';
      default?: unknown;
      secret?: boolean;
      description?: string;
    } & Record<string, unknown>
  >;
  required?: readonly string[];
  additionalProperties?: false;
}

/**
 * The parsed config a schema describes, inferred from the schema itself (written once): a property
 * with a default is always there, a required one too, any other is optional.
 */
export type ConfigOf<S extends ConfigSchema> = S extends JSONSchema ? FromSchema<S> : never;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the configuration once, at start: values from `env` coerced and checked against the
 * schema, defaults applied. Every problem is reported at once, naming the variable.
 */
export function loadConfig<T>(
  schema: ConfigSchema,
  env: Record<string, string | undefined>,
  check?: (c: T) => string[],
): T {
  const ajv = new Ajv.default({ coerceTypes: true, useDefaults: true, allErrors: true, strict: false });
  addFormats.default(ajv);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const validate = ajv.compile({ ...schema, additionalProperties: false });
  const problems: string[] = [];
  if (!validate(raw)) {
    for (const e of validate.errors ?? []) {
      const name = e.keyword === 'required' ? String(e.params.missingProperty) : e.instancePath.slice(1);
      problems.push(`${name} ${e.message ?? 'is invalid'}`);
    }
  }
  const config = raw as T;
  if (problems.length === 0 && check) problems.push(...check(config));
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}

/** The config for the startup log: secrets and passwords inside URLs replaced. */
export function redactConfig(schema: ConfigSchema, config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (schema.properties[k]?.secret) out[k] = '[redacted]';
    else if (typeof v === 'string' && /^[a-z]+:\/\/[^/]*:[^@/]*@/i.test(v))
      out[k] = v.replace(/(\/\/[^:/]*:)[^@/]*@/, '$1[redacted]@');
    else out[k] = v;
  }
  return out;
}

/** Properties every service has, with a database of its own or without. */
export const baseConfig = {
  NATS_URL: {
    type: 'string',
    default: 'nats://127.0.0.1:4222',
    description: 'NATS server(s), comma-separated.',
  },
  NATS_NKEY_SEED: {
    type: 'string',
    secret: true,
    description:
      "The service's NKEY seed (SU...), with which it signs in to NATS; none (nor NATS_NKEY_SEED_FILE): it connects without credentials.",
  },
  NATS_NKEY_SEED_FILE: {
    type: 'string',
    description:
      'A file holding the NKEY seed (a mounted secret), read at start when NATS_NKEY_SEED is not set.',
  },
  HTTP_HOST: { type: 'string', default: '127.0.0.1' },
  HTTP_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
  LOG_LEVEL: {
    type: 'string',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
  },
  SHUTDOWN_TIMEOUT_MS: {
    type: 'integer',
    minimum: 100,
    maximum: 600000,
    default: 15000,
    description:
      'How long a stop may take: in-flight requests, messages and operation steps finish within it.',
  },
  NATS_STREAM_REPLICAS: {
    type: 'integer',
    minimum: 1,
    maximum: 5,
    default: 1,
    description: 'Replicas of every stream the service makes: 1 on one server, 3 on a JetStream cluster.',
  },
  RPC_CONCURRENCY: {
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    default: 64,
    description: 'Request/reply handlers running at once in this process; more requests wait their turn.',
  },
  // OpenTelemetry traces (tracing.ts), by the SDK's standard variables. Tracing is on when an
  // exporter or an OTLP endpoint is set and the SDK is not disabled; the OpenTelemetry SDK reads the
  // exporter's settings (endpoint, protocol, headers) from the same variables itself.
  OTEL_SDK_DISABLED: {
    type: 'boolean',
    default: false,
    description: 'true: no OpenTelemetry SDK starts, whatever else is set.',
  },
  OTEL_TRACES_EXPORTER: {
    type: 'string',
    pattern: '^\\s*(otlp|console|none)\\s*(,\\s*(otlp|console|none)\\s*)*$',
    description:
      'Where spans go: otlp, console or none (comma-separated for several). Set (and not none), tracing is on; unset, it is on when an OTLP endpoint is set.',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    type: 'string',
    format: 'uri',
    description:
      'The OTLP collector (e.g. http://otel-collector:4318); setting it turns tracing on. Traces go to <endpoint>/v1/traces over HTTP.',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    type: 'string',
    format: 'uri',
    description:
      'The full URL traces are sent to, instead of the one derived from OTEL_EXPORTER_OTLP_ENDPOINT.',
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    type: 'string',
    enum: ['grpc', 'http/protobuf', 'http/json'],
    description: 'How spans reach the collector (the SDK defaults to http/protobuf).',
  },
  OTEL_EXPORTER_OTLP_HEADERS: {
    type: 'string',
    secret: true,
    description: 'Headers sent to the collector (key=value,key=value), such as its API key.',
  },
  OTEL_SERVICE_NAME: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: "The resource's service.name; the service's own name when unset.",
  },
  OTEL_RESOURCE_ATTRIBUTES: {
    type: 'string',
    pattern: '^\\s*([^=,\\s][^=,]*=[^,]*)?(\\s*,\\s*[^=,\\s][^=,]*=[^,]*)*\\s*$',
    description:
      'More resource attributes (key=value,key=value, values percent-encoded), e.g. deployment.environment.name=production.',
  },
  OTEL_TRACES_SAMPLER: {
    type: 'string',
    enum: [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ],
    description: 'Which traces are kept (the SDK defaults to parentbased_always_on).',
  },
  OTEL_TRACES_SAMPLER_ARG: {
    type: 'number',
    minimum: 0,
    maximum: 1,
    description: 'The share of traces the ratio samplers keep, from 0 to 1 (default 1).',
  },
} as const;

/**
 * Properties of a service with a database of its own: the database, its outbox and its inbox. A
 * service whose schema leaves them out (no `DATABASE_URL`) runs without a database.
 */
export const databaseConfig = {
  DATABASE_URL: {
    type: 'string',
    minLength: 1,
    description: "The service's own PostgreSQL database, as the service's runtime role (it owns nothing).",
  },
  DATABASE_MIGRATION_URL: {
    type: 'string',
    minLength: 1,
    description:
      "The same database as the role that owns the service's tables: migrations and the runtime role's grants run over it at start. Production sets it; unset, migrations run over DATABASE_URL and no grants are set.",
  },
  OUTBOX_MAX_ATTEMPTS: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'Refused publishes of one outbox row before it is moved to ocp_outbox_dead.',
  },
  OUTBOX_LEASE_MS: {
    type: 'integer',
    minimum: 1000,
    maximum: 300000,
    default: 10000,
    description:
      'How long the outbox relay leader holds its lease: a standby takes over this long after it vanishes.',
  },
  INBOX_RETENTION_DAYS: {
    type: 'integer',
    minimum: 31,
    maximum: 3650,
    default: 35,
    description:
      'Days handled events stay in ocp_inbox: longer than any stream keeps events (30 days), so a replay is still deduplicated.',
  },
} as const;

/** Properties every service with a database of its own has (with `required: ['DATABASE_URL']`). */
export const commonConfig = { ...baseConfig, ...databaseConfig } as const;

/** The config every service has. */
export type CommonConfig = ConfigOf<{
  type: 'object';
  properties: typeof commonConfig;
  required: ['DATABASE_URL'];
}>;
