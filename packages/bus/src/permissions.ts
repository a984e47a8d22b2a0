import {
  type DurableDef,
  durables,
  type MessageDef,
  messages,
  type RpcDef,
  rpcs,
  type StreamDef,
  streams,
} from '@ocp/contracts';

/**
 * Who may publish and subscribe what on NATS, made from the contracts catalog alone: the messages
 * (publisher, consumers), the request/reply methods (server, clients), the durable consumers and the
 * streams' readers and writers. Nothing here names a subject of its own, so a message, method or
 * consumer added to the catalog carries its permissions with it.
 */

/** A nats-server `permissions` block (the shape nats-server reads from its configuration). */
export interface NatsPermissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny?: string[] };
  /** Lets a request/reply server answer on the reply subject of a request it received, once. */
  allow_responses?: boolean;
}

/** The identity that follows tenant lifecycle and billing events from outside: reads only. */
export const OBSERVER = 'observer';
/** Everything, for operators' break-glass and for tests that inject or inspect. */
export const ADMIN = 'admin';

/**
 * What nobody but the admin may do: delete or purge a stream, delete a message. A stream is the record
 * the audit log and the workers rely on.
 */
export const DESTRUCTIVE_JS_API = [
  '$JS.API.STREAM.DELETE.>',
  '$JS.API.STREAM.PURGE.>',
  '$JS.API.STREAM.MSG.DELETE.>',
] as const;

/** The inbox prefix of an identity: its replies arrive under it, and only it may subscribe there. */
export function inboxPrefixOf(identity: string): string {
  return `_INBOX_${identity}`;
}

const allStreams: readonly StreamDef[] = Object.values(streams);
const messageDefs: readonly MessageDef[] = Object.values(messages);
const rpcDefs: readonly RpcDef[] = Object.values(rpcs);
const durableDefs: readonly DurableDef[] = Object.values(durables);

/** Every service the catalog names, in a stable order. */
export function catalogServices(): string[] {
  const names = new Set<string>();
  for (const m of messageDefs) {
    names.add(m.publisher);
    for (const c of m.consumers) names.add(c);
  }
  for (const r of rpcDefs) {
    names.add(r.server);
    for (const c of r.clients) names.add(c);
  }
  for (const d of durableDefs) names.add(d.service);
  for (const s of allStreams)
    for (const n of [...(s.readers ?? []), ...(s.writers ?? []), ...(s.followers ?? [])]) names.add(n);
  return [...names].sort();
}

/** Every identity that gets credentials: the services, the observer and the admin. */
export function identities(): string[] {
  return [...catalogServices(), OBSERVER, ADMIN];
}

/** A subject matches a stream's subject pattern (`*` one token, `>` the rest). */
function captures(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const streamOf = (subject: string) => allStreams.find((s) => s.subjects.some((p) => captures(p, subject)));

/** The durable consumers a service keeps. */
export function durablesOf(service: string) {
  return durableDefs.filter((d) => d.service === service);
}

/** The subjects a service publishes on JetStream and the core subjects it requests. */
function publishedSubjects(service: string): string[] {
  return [
    ...messageDefs.filter((m) => m.publisher === service).map((m) => m.subject),
    ...allStreams.filter((s) => s.writers?.includes(service)).flatMap((s) => s.subjects),
    ...durablesOf(service).map((d) => `deadletter.${d.durable}`),
  ];
}

/**
 * The streams a service makes sure of at start: those it publishes to, those its durable consumers
 * read and those it reads messages of. Each is made with the catalog's settings whoever makes it.
 */
export function streamsOf(service: string): StreamDef[] {
  const names = new Set<string>();
  for (const subject of publishedSubjects(service)) {
    const s = streamOf(subject);
    if (s) names.add(s.name);
  }
  for (const d of durablesOf(service)) names.add(d.stream.name);
  for (const s of allStreams)
    if (s.readers?.includes(service) || s.followers?.includes(service)) names.add(s.name);
  return allStreams.filter((s) => names.has(s.name));
}

/** The streams a service follows with ordered consumers of its own. */
const followedBy = (service: string) => allStreams.filter((s) => s.followers?.includes(service));

/**
 * What a follower does with its ordered consumers: create one (nats.js names it
 * `<prefix>_<serial>` and makes it again under the next serial after a gap), look it up, pull,
 * delete it when done. No acks (ack policy none) and no filter subject. A consumer's name is one
 * token, so the names are a wildcard: the durables of the catalog on the stream are denied by name
 * (`followerDenials`), so a follower can neither take their messages nor remove them.
 */
const followSubjects = (stream: string) => [
  `$JS.API.CONSUMER.CREATE.${stream}.*`,
  `$JS.API.CONSUMER.INFO.${stream}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
  `$JS.API.CONSUMER.DELETE.${stream}.*`,
];

/** The catalog's durables on the streams a service follows, out of its reach. */
const followerDenials = (service: string) => {
  const names = followedBy(service).map((s) => s.name);
  return durableDefs
    .filter((d) => names.includes(d.stream.name) && d.service !== service)
    .flatMap((d) => [
      `$JS.API.CONSUMER.*.${d.stream.name}.${d.durable}`,
      `$JS.API.CONSUMER.MSG.NEXT.${d.stream.name}.${d.durable}`,
    ]);
};

/** What a durable consumer's owner does with it: create or update, look up, pull, ack. */
function durableSubjects(stream: string, durable: string): string[] {
  return [
    `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
    // nats.js creates and updates a durable with CONSUMER.CREATE on a 2.9+ server (with the filter
    // subject as a last token), with DURABLE.CREATE on an older one.
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}

const readSubjects = (stream: string) => [
  `$JS.API.STREAM.MSG.GET.${stream}`,
  `$JS.API.DIRECT.GET.${stream}`,
  `$JS.API.DIRECT.GET.${stream}.>`,
];

const unique = (xs: string[]) => [...new Set(xs)];

/** The permissions of one service of the catalog. */
export function servicePermissions(service: string): NatsPermissions {
  if (!catalogServices().includes(service))
    throw new RangeError(
      `no service "${service}" in the contracts catalog; the services are: ${catalogServices().join(', ')}`,
    );
  const served = rpcDefs.filter((r) => r.server === service).map((r) => r.subject);
  const called = rpcDefs.filter((r) => r.clients.includes(service)).map((r) => r.subject);
  const own = streamsOf(service).map((s) => s.name);
  const read = allStreams.filter((s) => s.readers?.includes(service)).map((s) => s.name);
  const publish = unique([
    ...publishedSubjects(service),
    ...called,
    '$JS.API.INFO',
    ...own.flatMap((s) => [
      `$JS.API.STREAM.INFO.${s}`,
      `$JS.API.STREAM.CREATE.${s}`,
      `$JS.API.STREAM.UPDATE.${s}`,
    ]),
    ...read.flatMap(readSubjects),
    ...durablesOf(service).flatMap((d) => durableSubjects(d.stream.name, d.durable)),
    ...followedBy(service).flatMap((s) => followSubjects(s.name)),
  ]);
  return {
    publish: { allow: publish, deny: [...DESTRUCTIVE_JS_API, ...followerDenials(service)] },
    subscribe: { allow: [`${inboxPrefixOf(service)}.>`, ...served] },
    ...(served.length > 0 ? { allow_responses: true } : {}),
  };
}

/** The event streams anyone outside may follow (`EVENTS_*`). */
export function eventStreams(): StreamDef[] {
  return allStreams.filter((s) => s.name.startsWith('EVENTS_'));
}

/**
 * The observer's permissions: consumers of its own on the event streams, read and acked; the
 * services' durables there are out of its reach (it could otherwise take their messages).
 */
export function observerPermissions(): NatsPermissions {
  const names = eventStreams().map((s) => s.name);
  const theirs = durableDefs.filter((d) => names.includes(d.stream.name));
  return {
    publish: {
      allow: [
        '$JS.API.INFO',
        ...names.flatMap((s) => [
          `$JS.API.STREAM.INFO.${s}`,
          ...readSubjects(s),
          `$JS.API.CONSUMER.CREATE.${s}`,
          `$JS.API.CONSUMER.CREATE.${s}.>`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${s}.*`,
          `$JS.API.CONSUMER.INFO.${s}.*`,
          `$JS.API.CONSUMER.DELETE.${s}.*`,
          `$JS.API.CONSUMER.MSG.NEXT.${s}.*`,
          `$JS.ACK.${s}.>`,
        ]),
      ],
      deny: [
        ...DESTRUCTIVE_JS_API,
        ...theirs.flatMap((d) => [
          `$JS.API.CONSUMER.*.${d.stream.name}.${d.durable}`,
          `$JS.API.CONSUMER.CREATE.${d.stream.name}.${d.durable}.>`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${d.stream.name}.${d.durable}`,
          `$JS.API.CONSUMER.MSG.NEXT.${d.stream.name}.${d.durable}`,
          `$JS.ACK.${d.stream.name}.${d.durable}.>`,
        ]),
      ],
    },
    subscribe: { allow: [`${inboxPrefixOf(OBSERVER)}.>`] },
  };
}

/** The permissions of an identity; undefined for the admin, who may do everything. */
export function permissionsOf(identity: string): NatsPermissions | undefined {
  if (identity === ADMIN) return undefined;
  if (identity === OBSERVER) return observerPermissions();
  return servicePermissions(identity);
}
