import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One meter event the double accepted, as Stripe would have stored it. */
export interface RecordedMeterEvent {
  eventName: string;
  identifier: string;
  payload: Record<string, string>;
  idempotencyKey: string | undefined;
}

/** Every request the double answered, accepted or not. */
export interface RecordedStripeRequest {
  method: string;
  path: string;
  status: number;
  form: Record<string, string>;
  idempotencyKey: string | undefined;
}

/**
 * A local stand-in for Stripe's `POST /v1/billing/meter_events`, speaking its wire protocol: a
 * form-encoded body (`payload[stripe_customer_id]=...`), `Authorization: Bearer <secret key>`, an
 * `Idempotency-Key` whose replay returns the first answer with `Idempotent-Replayed: true`, and
 * Stripe's error shape (`{ error: { type, code, message, param } }`). The real SDK talks to it
 * through its `host`/`port`/`protocol` options.
 */
export interface StripeDouble {
  /** `STRIPE_API_BASE` for the service: `http://127.0.0.1:<port>`. */
  url: string;
  apiKey: string;
  accepted: RecordedMeterEvent[];
  requests: RecordedStripeRequest[];
  /** The next `n` meter events are refused with a 500 `api_error`, as an outage answers. */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

function stripeError(
  res: ServerResponse,
  status: number,
  error: { type: string; message: string; code?: string; param?: string },
): number {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Date.now()}` });
  res.end(
    JSON.stringify({
      error: {
        ...error,
        ...(error.code
          ? { doc_url: `https://stripe.com/docs/error-codes/${error.code.replaceAll('_', '-')}` }
          : {}),
      },
    }),
  );
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStripeDouble(apiKey = `sk_test_${Date.now()}`): Promise<StripeDouble> {
  const accepted: RecordedMeterEvent[] = [];
  const requests: RecordedStripeRequest[] = [];
  const replays = new Map<string, { status: number; body: string }>();
  const identifiers = new Set<string>();
  let refusals = 0;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    seen: { form: Record<string, string> },
  ): Promise<number> {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${apiKey}`) {
      return stripeError(res, 401, {
        type: 'invalid_request_error',
        message: auth.startsWith('Bearer ')
          ? `Invalid API Key provided: ${auth.slice(7, 15)}****`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/billing/meter_events') {
      return stripeError(res, 404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${path}).`,
      });
    }
    const key = req.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(key) ? key[0] : key;
    const replay = idempotencyKey ? replays.get(idempotencyKey) : undefined;
    if (replay) {
      res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      res.end(replay.body);
      return replay.status;
    }
    if (refusals > 0) {
      refusals--;
      return stripeError(res, 500, {
        type: 'api_error',
        message: 'An unknown error occurred while processing your request.',
      });
    }
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    seen.form = form;
    const payload: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) {
      const m = /^payload\[([^\]]+)\]$/.exec(k);
      if (m?.[1]) payload[m[1]] = v;
    }
    for (const param of ['event_name', 'payload[stripe_customer_id]', 'payload[value]']) {
      if (!form[param]) {
        return stripeError(res, 400, {
          type: 'invalid_request_error',
          code: 'parameter_missing',
          param,
          message: `Missing required param: ${param}.`,
        });
      }
    }
    if (!/^\d+$/.test(form['payload[value]'] ?? '')) {
      return stripeError(res, 400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        param: 'payload[value]',
        message: 'Invalid integer: the meter event value must be a whole number.',
      });
    }
    const identifier = form.identifier ?? `gen_${accepted.length + 1}`;
    if (identifiers.has(identifier)) {
      return stripeError(res, 400, {
        type: 'invalid_request_error',
        code: 'resource_already_exists',
        param: 'identifier',
        message: `A meter event with identifier ${identifier} already exists.`,
      });
    }
    identifiers.add(identifier);
    accepted.push({ eventName: form.event_name ?? '', identifier, payload, idempotencyKey });
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      object: 'billing.meter_event',
      created: now,
      event_name: form.event_name,
      identifier,
      livemode: false,
      payload,
      timestamp: form.timestamp ? Number(form.timestamp) : now,
    });
    if (idempotencyKey) replays.set(idempotencyKey, { status: 200, body });
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${Date.now()}` });
    res.end(body);
    return 200;
  }

  const server = createServer((req, res) => {
    const key = req.headers['idempotency-key'];
    const seen: { form: Record<string, string> } = { form: {} };
    handle(req, res, seen).then(
      (status) => {
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          status,
          form: seen.form,
          idempotencyKey: Array.isArray(key) ? key[0] : key,
        });
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    accepted,
    requests,
    refuseNext(n) {
      refusals = n;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
