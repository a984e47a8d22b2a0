import { randomUUID } from 'node:crypto';
import { type MessageDataMap, type MessageType, messages, schemaBase } from './catalog.ts';
import { formatIssues, type SchemaKey, type ValidationIssue, validate } from './validate.ts';

/** A CloudEvents 1.0 structured JSON envelope. */
export interface CloudEvent<T extends MessageType = MessageType> {
  specversion: '1.0';
  id: string;
  type: T;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: MessageDataMap[T];
}

/** Makes an envelope; `subject` is what the event is about (a tenant id). */
export function makeEvent<T extends MessageType>(
  type: T,
  data: MessageDataMap[T],
  opts: { source: string; subject?: string; id?: string; time?: Date },
): CloudEvent<T> {
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    type,
    source: opts.source,
    time: (opts.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    dataschema: `${schemaBase}${messages[type].schema}.json`,
    data,
  };
  if (opts.subject !== undefined) event.subject = opts.subject;
  return event;
}

export type EventCheck<T extends MessageType> =
  | { ok: true; event: CloudEvent<T> }
  | { ok: false; issues: ValidationIssue[] };

/** Checks the envelope and its data against the schemas; `expected` pins the type. */
export function checkEvent<T extends MessageType>(value: unknown, expected?: T): EventCheck<T> {
  const env = validate<CloudEvent>('common/cloudevent.v1', value);
  if (!env.ok) return env;
  const type = env.value.type;
  if (!(type in messages)) return { ok: false, issues: [{ path: '/type', message: `unknown type ${type}` }] };
  if (expected !== undefined && type !== expected) {
    return { ok: false, issues: [{ path: '/type', message: `expected ${expected}, got ${type}` }] };
  }
  const def = messages[type as MessageType];
  if (env.value.dataschema !== `${schemaBase}${def.schema}.json`) {
    return { ok: false, issues: [{ path: '/dataschema', message: `does not match type ${type}` }] };
  }
  const data = validate(def.schema as SchemaKey, env.value.data);
  if (!data.ok) return { ok: false, issues: data.issues.map((i) => ({ ...i, path: `/data${i.path}` })) };
  return { ok: true, event: env.value as CloudEvent<T> };
}

/** An event refused where it is made: its envelope or `data` does not match the schemas. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    readonly type: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`${type} does not match its schema, so it was not written: ${formatIssues(issues)}`);
  }
}

/** The CloudEvents `source` of a type: the service that publishes it, from the catalog. */
export const sourceOf = (type: MessageType): string => `ocp/${messages[type].publisher}`;

/**
 * Makes the envelope of a `type` event with the catalog's source, and checks it and its `data`
 * with the precompiled validators. Throws `InvalidEventError` naming the type and every failing
 * field (`/data/tenant/plan is required`): a wrong event is refused by its writer, not only by
 * its consumers.
 */
export function makeCheckedEvent<T extends MessageType>(
  type: T,
  data: MessageDataMap[T],
  opts: { subject?: string | undefined; id?: string | undefined; time?: Date | undefined } = {},
): CloudEvent<T> {
  const event = makeEvent(type, data, {
    source: sourceOf(type),
    ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
  });
  const check = checkEvent(event, type);
  if (!check.ok) throw new InvalidEventError(type, check.issues);
  return event;
}
