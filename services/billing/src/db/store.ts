import { randomUUID } from 'node:crypto';
import type { BillingSubscription, BillingWebhooksListReplyV1 } from '@ocp/contracts';
import type { PoolClient, Queryable } from '@ocp/db';
import type { Access, Provider, Status, SubscriptionState, TimedFact } from '../domain/subscription.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type WebhookStatus = BillingWebhooksListReplyV1['items'][number]['status'];

export interface SubscriptionRow {
  id: string;
  provider: Provider;
  provider_subscription_id: string;
  customer_id: string | null;
  tenant_id: string | null;
  plan: string | null;
  price_id: string | null;
  status: Status;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  last_event_id: string;
  last_event_type: string;
  last_event_at: Date;
  access: Access | null;
  revoke_after: Date | null;
  updated_at: Date;
}

/**
 * Records a webhook as received. Returns false when its id is recorded already: the caller then
 * records a `duplicate` and has no other effect (the table's key is the consumer's inbox).
 */
export async function recordReceived(
  client: PoolClient,
  w: { id: string; provider: Provider; eventId: string; eventType: string; receivedAt: string; body: string },
): Promise<boolean> {
  const res = await client.query(
    `INSERT INTO webhook_events (id, provider, provider_event_id, provider_event_type, status, received_at, body)
     VALUES ($1, $2, $3, $4, 'applied', $5, $6) ON CONFLICT (id) DO NOTHING`,
    [w.id, w.provider, w.eventId, w.eventType, w.receivedAt, w.body.replaceAll('\u0000', '')],
  );
  return res.rowCount === 1;
}

/** Text PostgreSQL can store: no NUL, and a lone UTF-16 surrogate as the replacement character. */
export function storableText(text: string): string {
  return text
    .replaceAll('\u0000', '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * Records a webhook that can never be stored as it came (a value the database refuses, such as a
 * NUL character or a lone surrogate in a field it reads) as `failed` with why, in a transaction of
 * its own: the one that failed is gone. A redelivery finds it recorded and does nothing.
 */
export async function recordFailed(
  client: Queryable,
  w: { id: string; provider: Provider; eventId: string; eventType: string; receivedAt: string; body: string },
  detail: string,
): Promise<void> {
  await client.query(
    `INSERT INTO webhook_events (id, provider, provider_event_id, provider_event_type, status, received_at, detail, body)
     VALUES ($1, $2, $3, $4, 'failed', $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [
      storableText(w.id),
      w.provider,
      storableText(w.eventId),
      storableText(w.eventType),
      w.receivedAt,
      storableText(detail).slice(0, 2000),
      storableText(w.body),
    ],
  );
}

/** Records another delivery of a webhook already recorded, for the history. */
export async function recordDuplicate(
  client: Queryable,
  w: { id: string; provider: Provider; eventId: string; eventType: string; receivedAt: string },
): Promise<void> {
  await client.query(
    `INSERT INTO webhook_events (id, provider, provider_event_id, provider_event_type, status, received_at, detail)
     SELECT $1, $2, $3, $4, 'duplicate', $5, $6`,
    [
      `${w.id}#${randomUUID()}`,
      w.provider,
      w.eventId,
      w.eventType,
      w.receivedAt,
      `the same ${w.provider} event as ${w.id}, which had its effect already`,
    ],
  );
}

export async function recordRejected(
  client: Queryable,
  w: { id: string; provider: Provider; receivedAt: string; reason: string },
): Promise<void> {
  await client.query(
    `INSERT INTO webhook_events (id, provider, status, received_at, detail)
     VALUES ($1, $2, 'rejected', $3, $4) ON CONFLICT (id) DO NOTHING`,
    [w.id, w.provider, w.receivedAt, w.reason.slice(0, 2000)],
  );
}

/** Sets what became of a recorded webhook, and the fact it carries (replayed in provider order). */
export async function settleWebhook(
  client: Queryable,
  id: string,
  patch: {
    status: WebhookStatus;
    detail?: string | null;
    tenantId?: string | null;
    subscriptionId?: string;
    fact?: TimedFact;
  },
): Promise<void> {
  await client.query(
    `UPDATE webhook_events SET status = $2, detail = $3, tenant_id = $4, provider_subscription_id = $5,
       occurred_at = $6, fact = $7 WHERE id = $1`,
    [
      id,
      patch.status,
      patch.detail?.slice(0, 2000) ?? null,
      patch.tenantId?.slice(0, 64) ?? null,
      patch.subscriptionId ?? null,
      patch.fact?.at ?? null,
      patch.fact ? JSON.stringify(patch.fact) : null,
    ],
  );
}

/** Reports a webhook whose subscription has no known tenant; its fact stays for later replays. */
export async function markUnmatched(client: Queryable, id: string, tenantId: string | null, detail: string) {
  await client.query(
    `UPDATE webhook_events SET status = 'unmatched', tenant_id = $2, detail = $3 WHERE id = $1`,
    [id, tenantId?.slice(0, 64) ?? null, detail.slice(0, 2000)],
  );
}

/** Every fact recorded about a subscription, in any order (the fold sorts them). */
export async function factsOf(
  client: Queryable,
  provider: Provider,
  subscriptionId: string,
): Promise<TimedFact[]> {
  const { rows } = await client.query<{ fact: TimedFact }>(
    `SELECT fact FROM webhook_events WHERE provider = $1 AND provider_subscription_id = $2 AND fact IS NOT NULL`,
    [provider, subscriptionId],
  );
  return rows.map((r) => r.fact);
}

/** Serialises work on one subscription until the transaction ends. */
export async function lockSubscription(client: PoolClient, provider: Provider, subscriptionId: string) {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`billing:${provider}:${subscriptionId}`]);
  const { rows } = await client.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2 FOR UPDATE',
    [provider, subscriptionId],
  );
  return rows[0];
}

/**
 * Serialises, per tenant id, learning of the tenant with deciding that a webhook about it is
 * `unmatched`. Without it the two can pass each other under READ COMMITTED: the webhook's
 * transaction does not see the tenant yet, the tenant's does not see the webhook yet, and the
 * webhook stays unmatched for good. Held until the transaction ends; the next statement of the one
 * that waited sees what the other committed. Taken after the subscription's row lock, never before.
 */
async function lockTenantKnowledge(db: Queryable, tenantId: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('ocp_billing.known_tenants'), hashtext($1))", [
    tenantId,
  ]);
}

/** Whether the tenant id names a tenant the platform has and has not deleted. */
export async function isKnownTenant(db: Queryable, tenantId: string): Promise<boolean> {
  if (!UUID.test(tenantId)) return false;
  await lockTenantKnowledge(db, tenantId);
  const { rows } = await db.query('SELECT 1 FROM known_tenants WHERE id = $1 AND NOT deleted', [tenantId]);
  return rows.length > 0;
}

export async function saveSubscription(
  client: Queryable,
  row: Omit<SubscriptionRow, 'updated_at'>,
): Promise<SubscriptionRow> {
  const { rows } = await client.query<SubscriptionRow>(
    `INSERT INTO subscriptions (id, provider, provider_subscription_id, customer_id, tenant_id, plan, price_id,
       status, current_period_end, cancel_at_period_end, last_event_id, last_event_type, last_event_at, access,
       revoke_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET
       customer_id = $4, tenant_id = $5, plan = $6, price_id = $7, status = $8, current_period_end = $9,
       cancel_at_period_end = $10, last_event_id = $11, last_event_type = $12, last_event_at = $13,
       access = $14, revoke_after = $15, updated_at = now()
     RETURNING *`,
    [
      row.id,
      row.provider,
      row.provider_subscription_id,
      row.customer_id,
      row.tenant_id,
      row.plan,
      row.price_id,
      row.status,
      row.current_period_end,
      row.cancel_at_period_end,
      row.last_event_id,
      row.last_event_type,
      row.last_event_at,
      row.access,
      row.revoke_after,
    ],
  );
  return rows[0]!;
}

/** Whether two rows say the same about the subscription (its model, not its bookkeeping). */
export function sameModel(a: SubscriptionRow, b: SubscriptionRow): boolean {
  const api = (r: SubscriptionRow) => {
    const { updatedAt: _u, ...rest } = toApiSubscription(r);
    return JSON.stringify(rest);
  };
  return api(a) === api(b);
}

/** The row a fold makes, before access is decided. */
export function rowFrom(
  prev: SubscriptionRow | undefined,
  provider: Provider,
  subscriptionId: string,
  s: SubscriptionState,
  knownTenantId: string | null,
  plan: string | null,
): Omit<SubscriptionRow, 'updated_at' | 'access' | 'revoke_after'> {
  return {
    id: prev?.id ?? randomUUID(),
    provider,
    provider_subscription_id: subscriptionId,
    customer_id: s.customerId,
    tenant_id: knownTenantId,
    plan,
    price_id: s.priceId,
    status: s.status,
    current_period_end: s.currentPeriodEnd ? new Date(s.currentPeriodEnd) : null,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    last_event_id: s.lastEventId,
    last_event_type: s.lastEventType,
    last_event_at: new Date(s.lastEventAt),
  };
}

export function toApiSubscription(r: SubscriptionRow): BillingSubscription {
  return {
    id: r.id,
    provider: r.provider,
    providerSubscriptionId: r.provider_subscription_id,
    customerId: r.customer_id,
    tenantId: r.tenant_id,
    plan: r.plan,
    priceId: r.price_id,
    status: r.status,
    currentPeriodEnd: r.current_period_end ? r.current_period_end.toISOString() : null,
    cancelAtPeriodEnd: r.cancel_at_period_end,
    lastEventId: r.last_event_id,
    lastEventType: r.last_event_type,
    lastEventAt: r.last_event_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function subscriptionsOfTenant(db: Queryable, tenantId: string): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE tenant_id = $1 ORDER BY last_event_at DESC, id',
    [tenantId],
  );
  return rows;
}

/** Past-due subscriptions whose grace has run out and whose tenant still has access. */
export async function dueForRevocation(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM subscriptions WHERE status = 'past_due' AND revoke_after <= now()
       AND access IS DISTINCT FROM 'revoked' AND tenant_id IS NOT NULL
     ORDER BY revoke_after LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export async function lockSubscriptionById(
  client: PoolClient,
  id: string,
): Promise<SubscriptionRow | undefined> {
  const { rows } = await client.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0];
}

export async function setAccess(client: Queryable, id: string, access: Access): Promise<void> {
  await client.query('UPDATE subscriptions SET access = $2, updated_at = now() WHERE id = $1', [id, access]);
}

export interface WebhookFilter {
  provider?: Provider | undefined;
  status?: WebhookStatus | undefined;
  tenantId?: string | undefined;
  beforeSeq?: string | undefined;
}

/** A page of the webhook history, newest first; `seq` is the cursor. */
export async function listWebhooks(db: Queryable, f: WebhookFilter, limit: number) {
  const { rows } = await db.query<{
    seq: string;
    id: string;
    provider: Provider;
    provider_event_id: string | null;
    provider_event_type: string | null;
    status: WebhookStatus;
    tenant_id: string | null;
    received_at: Date;
    detail: string | null;
  }>(
    `SELECT seq, id, provider, provider_event_id, provider_event_type, status, tenant_id, received_at, detail
     FROM webhook_events
     WHERE ($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR tenant_id = $3) AND ($4::bigint IS NULL OR seq < $4)
     ORDER BY seq DESC LIMIT $5`,
    [f.provider ?? null, f.status ?? null, f.tenantId ?? null, f.beforeSeq ?? null, limit],
  );
  return rows;
}

/** Follows the tenant lifecycle: which tenant ids exist. True when the id was not known before. */
export async function upsertKnownTenant(db: Queryable, id: string, deleted: boolean): Promise<boolean> {
  await lockTenantKnowledge(db, id);
  const { rows } = await db.query<{ fresh: boolean }>(
    `INSERT INTO known_tenants (id, deleted) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET deleted = known_tenants.deleted OR $2, updated_at = now()
     RETURNING (xmax = 0) AS fresh`,
    [id, deleted],
  );
  return rows[0]?.fresh === true;
}

/**
 * Subscriptions with webhooks left `unmatched` for this tenant id; their webhooks are marked applied,
 * since the caller replays them now.
 */
export async function unmatchedSubscriptionsOf(
  client: Queryable,
  tenantId: string,
): Promise<Array<{ provider: Provider; subscriptionId: string }>> {
  const { rows } = await client.query<{ provider: Provider; provider_subscription_id: string }>(
    `UPDATE webhook_events SET status = 'applied', detail = 'applied once its tenant was known'
     WHERE status = 'unmatched' AND tenant_id = $1 AND fact IS NOT NULL
     RETURNING provider, provider_subscription_id`,
    [tenantId],
  );
  const seen = new Map(rows.map((r) => [`${r.provider}:${r.provider_subscription_id}`, r]));
  return [...seen.values()].map((r) => ({
    provider: r.provider,
    subscriptionId: r.provider_subscription_id,
  }));
}
