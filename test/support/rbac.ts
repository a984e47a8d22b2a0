import { request as httpRequest } from 'node:http';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { AuditRequestV1, CloudEvent } from '@ocp/contracts';
import { waitFor } from '@ocp/testkit';

export type RoleName = 'owner' | 'admin' | 'operator' | 'billing' | 'viewer';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them.
  body: any;
  text: string;
  headers: Headers;
  requestId: string;
}

/** One call to the admin API, with a bearer token or none; JSON answers are parsed, others kept as text. */
export async function call(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  // An event stream never ends: its first chunk (retry, reset or ready frames) is its text.
  const text =
    /^text\/event-stream/.test(res.headers.get('content-type') ?? '') && res.body
      ? await firstChunk(res.body)
      : await res.text();
  const json = /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : undefined;
  return {
    status: res.status,
    body: json,
    text,
    headers: res.headers,
    requestId: res.headers.get('x-request-id') ?? '',
  };
}

async function firstChunk(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

/** What a logged-in operator holds: the session token, the CSRF token and the browser's cookies. */
export interface Session {
  baseUrl: string;
  id: string;
  email: string;
  password: string;
  token: string;
  csrfToken: string;
  /** `ocp_session=...; ocp_csrf=...`, as a browser sends them. */
  cookie: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export async function login(baseUrl: string, email: string, password: string): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { token: string; csrfToken: string; operator: { id: string } };
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    baseUrl,
    id: body.operator.id,
    email,
    password,
    token: body.token,
    csrfToken: body.csrfToken,
    cookie,
    call: (method, path, b, h) => call(baseUrl, body.token, method, path, b, h),
  };
}

/** A call authenticated by the session cookie, as a browser makes it; `csrf` is the header to send, if any. */
export function cookieCall(
  s: Session,
  method: string,
  path: string,
  body?: unknown,
  opts: { csrf?: string; cookie?: string } = {},
): Promise<Answer> {
  return call(s.baseUrl, undefined, method, path, body, {
    cookie: opts.cookie ?? s.cookie,
    ...(opts.csrf !== undefined ? { 'x-csrf-token': opts.csrf } : {}),
  });
}

/** Invites an operator as `by`, then logs it in with its initial password. */
export async function invite(
  by: Session,
  email: string,
  role: RoleName,
  tenantIds?: string[],
): Promise<Session> {
  const res = await by.call('POST', '/api/v1/operators', {
    email,
    role,
    ...(tenantIds ? { tenantIds } : {}),
  });
  if (res.status !== 201) throw new Error(`invite of ${email} failed: ${res.status} ${res.text}`);
  return login(by.baseUrl, email, res.body.initialPassword);
}

/** A request from another loopback address than 127.0.0.1: another source IP to the gateway. */
export function callFrom(
  localAddress: string,
  url: string,
  method: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        localAddress,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...extraHeaders,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({
            status: res.statusCode ?? 0,
            body: /json/.test(headers.get('content-type') ?? '') && text ? JSON.parse(text) : undefined,
            text,
            headers,
            requestId: headers.get('x-request-id') ?? '',
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

export interface SeenAudit {
  event: CloudEvent<'ocp.audit.request.v1'>;
  data: AuditRequestV1;
  /** The message as it travelled, to look for secrets in. */
  raw: string;
  msgId: string | undefined;
  seq: number;
}

/**
 * An independent subscriber of the AUDIT stream, as the audit service would be: an ordered
 * consumer from the first message that records every `ocp.audit.request.v1` it sees, raw bytes too.
 * Only the audit service reads that stream: connect as the admin (`env.natsAs('admin')`).
 */
export async function subscribeAudit(nats: ConnectionOptions) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const js = jetstream(nc);
  const seen: SeenAudit[] = [];
  const consumer = await js.consumers.get('AUDIT', { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) {
      const raw = m.string();
      const event = JSON.parse(raw) as CloudEvent<'ocp.audit.request.v1'>;
      if (event.type !== 'ocp.audit.request.v1') continue;
      seen.push({ event, data: event.data, raw, msgId: m.headers?.get('Nats-Msg-Id'), seq: m.seq });
    }
  })();
  const forRequest = (requestId: string) => seen.filter((s) => s.data.requestId === requestId);
  return {
    seen,
    forRequest,
    /** Waits until each request id has an event; answers them in order. */
    async waitFor(requestIds: string[], timeoutMs = 15_000): Promise<SeenAudit[]> {
      return waitFor(
        `audit events of ${requestIds.length} request(s)`,
        async () => {
          const found = requestIds.map((id) => forRequest(id)[0]);
          return found.every((f) => f !== undefined) ? (found as SeenAudit[]) : undefined;
        },
        { timeoutMs },
      );
    },
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}
export type AuditSubscriber = Awaited<ReturnType<typeof subscribeAudit>>;
