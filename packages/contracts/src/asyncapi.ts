import { messages, rpcs, streams } from './catalog.ts';
import type { SchemaFile } from './load.ts';

const componentKey = (key: string) => key.replace(/[^a-zA-Z0-9]/g, '_');

/** Rewrites file-relative `$ref`s (`../common/tenant.v1.json#/definitions/slug`) to component refs. */
function rewriteRefs(value: unknown, fileKey: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, fileKey));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$id' || k === '$schema') continue;
    if (k === '$ref' && typeof v === 'string') {
      const [path = '', pointer = ''] = v.split('#');
      const target =
        path === '' ? fileKey : new URL(path, `x:/${fileKey}`).pathname.slice(1).replace(/\.json$/, '');
      out.$ref = `#/components/schemas/${componentKey(target)}${pointer}`;
      continue;
    }
    out[k] = rewriteRefs(v, fileKey);
  }
  return out;
}

/**
 * Builds the AsyncAPI 3 document of every subject: events, work commands and request/reply
 * methods, with their payload schemas taken from `proto-schemas/`.
 */
export function buildAsyncApi(files: SchemaFile[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const f of files) schemas[componentKey(f.key)] = rewriteRefs(f.schema, f.key);
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const msgs: Record<string, unknown> = {};
  const ref = (key: string) => ({ $ref: `#/components/schemas/${componentKey(key)}` });

  for (const [type, def] of Object.entries(messages)) {
    const id = componentKey(type);
    const file = files.find((f) => f.key === def.schema);
    msgs[id] = {
      name: type,
      title: file?.schema.title,
      summary: file?.schema.description,
      contentType: 'application/cloudevents+json',
      headers: {
        type: 'object',
        properties: {
          'Nats-Msg-Id': { type: 'string', description: 'The CloudEvents id; JetStream drops a re-publish.' },
          traceparent: { type: 'string', description: 'W3C trace context.' },
        },
      },
      payload: {
        allOf: [
          ref('common/cloudevent.v1'),
          {
            type: 'object',
            properties: {
              type: { const: type },
              dataschema: { const: `https://ocp.local/schemas/${def.schema}.json` },
              data: ref(def.schema),
            },
          },
        ],
      },
    };
    channels[id] = {
      address: def.subject,
      title: def.subject,
      description: `JetStream stream ${def.stream.name} (${def.stream.retention} retention). Published by the ${def.publisher} service${def.consumers.length ? `; consumed by ${def.consumers.join(', ')}` : ''}.`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
    };
    operations[`publish_${id}`] = {
      action: 'send',
      title: `${def.publisher} publishes ${type}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
    operations[`receive_${id}`] = {
      action: 'receive',
      title: `Subscribers receive ${type}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
    };
  }

  for (const [name, def] of Object.entries(rpcs)) {
    const id = componentKey(`rpc.${name}`);
    const reqFile = files.find((f) => f.key === def.request);
    msgs[`${id}_request`] = {
      name: `${name} request`,
      summary: reqFile?.schema.description,
      contentType: 'application/json',
      payload: ref(def.request),
    };
    msgs[`${id}_reply`] = {
      name: `${name} reply`,
      summary: 'The result, or an RpcError.',
      contentType: 'application/json',
      payload: { oneOf: [ref(def.reply), ref('common/rpc-error.v1')] },
    };
    channels[id] = {
      address: def.subject,
      title: def.subject,
      description: `Request/reply, served by the ${def.server} service (queue group ${def.server}).`,
      messages: {
        request: { $ref: `#/components/messages/${id}_request` },
      },
    };
    channels[`${id}_reply`] = {
      address: null,
      description: 'The requester’s inbox.',
      messages: { reply: { $ref: `#/components/messages/${id}_reply` } },
    };
    operations[`serve_${id}`] = {
      action: 'receive',
      title: `${def.server} answers ${name}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/request` }],
      reply: {
        channel: { $ref: `#/channels/${id}_reply` },
        messages: [{ $ref: `#/channels/${id}_reply/messages/reply` }],
      },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Odoo control plane events and commands',
      version: '1.0.0',
      description: `Subjects of the control plane on NATS JetStream. Events use the CloudEvents 1.0 JSON envelope; the CloudEvents id is the Nats-Msg-Id. Streams: ${Object.values(
        streams,
      )
        .map((s) => `${s.name} (${s.subjects.join(', ')})`)
        .join('; ')}.`,
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:4222', protocol: 'nats', description: 'The embedded default.' },
    },
    channels,
    operations,
    components: { schemas, messages: msgs },
  };
}
