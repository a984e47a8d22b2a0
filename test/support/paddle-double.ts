import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A subscription item as the double keeps it. */
export interface PaddleDoubleItem {
  priceId: string;
  quantity: number;
}

/** One request the double answered. */
export interface RecordedPaddleRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * A local stand-in for Paddle Billing's `GET` and `PATCH /subscriptions/{id}`, speaking its wire
 * protocol: JSON bodies in snake_case, `Authorization: Bearer <api key>`, answers wrapped as
 * `{ data, meta: { request_id } }` and errors as `{ error: { type, code, detail, errors? } }`.
 * An update replaces the item list, and needs `proration_billing_mode` when it changes the items,
 * as Paddle's does. The real SDK talks to it when its `environment` is the double's URL.
 */
export interface PaddleDouble {
  /** `PADDLE_API_BASE` for the service. */
  url: string;
  apiKey: string;
  requests: RecordedPaddleRequest[];
  /** Registers a subscription of `customerId` with its items. */
  addSubscription(id: string, customerId: string, items: PaddleDoubleItem[]): void;
  /** The items of a subscription now. */
  itemsOf(id: string): PaddleDoubleItem[];
  /** The accepted updates (PATCH answered 200), in order. */
  updates(): Array<{ subscriptionId: string; body: Record<string, unknown> }>;
  /** The next `n` updates are refused with a 500 `api_error`. */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

interface Sub {
  id: string;
  customerId: string;
  items: PaddleDoubleItem[];
  createdAt: string;
  updatedAt: string;
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return status;
}

function paddleError(
  res: ServerResponse,
  status: number,
  error: { type: string; code: string; detail: string; errors?: Array<{ field: string; message: string }> },
): number {
  return send(res, status, {
    error: { ...error, documentation_url: `https://developer.paddle.com/v1/errors/shared/${error.code}` },
    meta: { request_id: randomUUID() },
  });
}

function entity(s: Sub) {
  const period = {
    starts_at: s.createdAt,
    ends_at: new Date(Date.parse(s.createdAt) + 30 * 86_400_000).toISOString(),
  };
  return {
    id: s.id,
    status: 'active',
    customer_id: s.customerId,
    address_id: 'add_01double',
    business_id: null,
    currency_code: 'USD',
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    started_at: s.createdAt,
    first_billed_at: s.createdAt,
    next_billed_at: period.ends_at,
    paused_at: null,
    canceled_at: null,
    discount: null,
    collection_mode: 'automatic',
    billing_details: null,
    current_billing_period: period,
    billing_cycle: { interval: 'month', frequency: 1 },
    scheduled_change: null,
    items: s.items.map((i) => ({
      status: 'active',
      quantity: i.quantity,
      recurring: true,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      previously_billed_at: s.createdAt,
      next_billed_at: period.ends_at,
      trial_dates: null,
      price: {
        id: i.priceId,
        product_id: 'pro_01double',
        description: 'per active user',
        type: 'standard',
        name: 'Active users',
        billing_cycle: { interval: 'month', frequency: 1 },
        trial_period: null,
        tax_mode: 'account_setting',
        unit_price: { amount: '500', currency_code: 'USD' },
        unit_price_overrides: [],
        quantity: { minimum: 1, maximum: 10000 },
        status: 'active',
        custom_data: null,
        import_meta: null,
        created_at: s.createdAt,
        updated_at: s.createdAt,
      },
      product: {
        id: 'pro_01double',
        name: 'Odoo hosting',
        type: 'standard',
        tax_category: 'saas',
        description: null,
        image_url: null,
        custom_data: null,
        status: 'active',
        import_meta: null,
        created_at: s.createdAt,
        updated_at: s.createdAt,
      },
    })),
    custom_data: null,
    import_meta: null,
    management_urls: null,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export async function startPaddleDouble(apiKey = `pdl_sdbx_apikey_${Date.now()}`): Promise<PaddleDouble> {
  const subs = new Map<string, Sub>();
  const requests: RecordedPaddleRequest[] = [];
  const accepted: Array<{ subscriptionId: string; body: Record<string, unknown> }> = [];
  let refusals = 0;

  async function handle(req: IncomingMessage, res: ServerResponse, seen: { body: unknown }): Promise<number> {
    // The SDK sends `bearer`; Paddle takes the scheme case-insensitively, as RFC 9110 says.
    const auth = req.headers.authorization ?? '';
    if (!/^bearer /i.test(auth)) {
      return paddleError(res, 401, {
        type: 'request_error',
        code: 'authentication_missing',
        detail: 'Authentication header is missing or not in the form Bearer <api key>.',
      });
    }
    if (auth.slice(7) !== apiKey) {
      return paddleError(res, 403, {
        type: 'request_error',
        code: 'authentication_malformed',
        detail: 'The API key is not valid.',
      });
    }
    const m = /^\/subscriptions\/([^/?]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const sub = m?.[1] ? subs.get(decodeURIComponent(m[1])) : undefined;
    if (!m || (req.method !== 'GET' && req.method !== 'PATCH')) {
      return paddleError(res, 404, { type: 'request_error', code: 'not_found', detail: 'Not found.' });
    }
    if (!sub) {
      return paddleError(res, 404, {
        type: 'request_error',
        code: 'entity_not_found',
        detail: `Entity ${m[1]} not found`,
      });
    }
    if (req.method === 'GET')
      return send(res, 200, { data: entity(sub), meta: { request_id: randomUUID() } });
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    seen.body = body;
    if (refusals > 0) {
      refusals--;
      return paddleError(res, 500, {
        type: 'api_error',
        code: 'internal_error',
        detail: 'An internal error occurred.',
      });
    }
    const items = body?.items;
    if (items !== undefined) {
      const errors: Array<{ field: string; message: string }> = [];
      if (!Array.isArray(items) || items.length === 0) {
        errors.push({ field: 'items', message: 'must contain at least one item' });
      } else {
        items.forEach((it: { price_id?: unknown; quantity?: unknown }, i) => {
          if (typeof it.price_id !== 'string')
            errors.push({ field: `items[${i}].price_id`, message: 'is required' });
          if (!Number.isInteger(it.quantity) || (it.quantity as number) < 1) {
            errors.push({ field: `items[${i}].quantity`, message: 'must be an integer of at least 1' });
          }
        });
      }
      if (typeof body?.proration_billing_mode !== 'string') {
        errors.push({ field: 'proration_billing_mode', message: 'is required when items are updated' });
      }
      if (errors.length > 0) {
        return paddleError(res, 400, {
          type: 'request_error',
          code: 'bad_request',
          detail: 'Invalid request.',
          errors,
        });
      }
      sub.items = (items as Array<{ price_id: string; quantity: number }>).map((i) => ({
        priceId: i.price_id,
        quantity: i.quantity,
      }));
      sub.updatedAt = new Date().toISOString();
    }
    accepted.push({ subscriptionId: sub.id, body: body ?? {} });
    return send(res, 200, { data: entity(sub), meta: { request_id: randomUUID() } });
  }

  const server = createServer((req, res) => {
    const seen: { body: unknown } = { body: undefined };
    handle(req, res, seen).then(
      (status) => requests.push({ method: req.method ?? '', path: req.url ?? '', status, body: seen.body }),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    addSubscription(id, customerId, items) {
      const now = new Date().toISOString();
      subs.set(id, { id, customerId, items: items.map((i) => ({ ...i })), createdAt: now, updatedAt: now });
    },
    itemsOf: (id) => (subs.get(id)?.items ?? []).map((i) => ({ ...i })),
    updates: () => accepted.slice(),
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
