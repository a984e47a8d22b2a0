import type { EventHandler } from '@ocp/bus';
import type { BillingWebhookReceivedV1, CloudEvent } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, permanentDbError, type Queryable, withTransaction } from '@ocp/db';
import {
  dueForRevocation,
  factsOf,
  isKnownTenant,
  lockSubscription,
  lockSubscriptionById,
  markUnmatched,
  recordDuplicate,
  recordFailed,
  recordReceived,
  recordRejected,
  rowFrom,
  type SubscriptionRow,
  sameModel,
  saveSubscription,
  setAccess,
  settleWebhook,
  toApiSubscription,
  type WebhookStatus,
} from '../db/store.ts';
import { parseProviderEvent } from '../domain/parse.ts';
import { type Access, decideAccess, foldSubscription, planOf } from '../domain/subscription.ts';
import type { HandlerContext } from './context.ts';

/** What became of one webhook. */
export interface IngestResult {
  status: WebhookStatus;
  access?: Access;
}

/**
 * Writes the events that announce a change of a subscription row, in the caller's transaction;
 * the tenant id is their CloudEvents subject.
 */
export async function announce(
  client: Queryable,
  prev: SubscriptionRow | undefined,
  next: SubscriptionRow,
  accessChanged: boolean,
  traceparent?: string,
): Promise<void> {
  const subject = next.tenant_id ?? undefined;
  if (!prev || !sameModel(prev, next)) {
    await enqueueEvent(client, 'ocp.billing.subscription_changed.v1', {
      subject,
      data: { subscription: toApiSubscription(next) },
      traceparent,
    });
  }
  if (next.tenant_id && accessChanged && next.access) {
    await enqueueEvent(client, 'ocp.billing.tenant_access_changed.v1', {
      subject: next.tenant_id,
      traceparent,
      data: {
        tenantId: next.tenant_id,
        access: next.access,
        provider: next.provider,
        subscriptionId: next.id,
        status: next.status,
        reason: `subscription ${next.provider_subscription_id} is ${next.status}`,
      },
    });
  }
  if (next.tenant_id && next.plan && (next.plan !== prev?.plan || next.tenant_id !== prev?.tenant_id)) {
    await enqueueEvent(client, 'ocp.billing.tenant_plan_changed.v1', {
      subject: next.tenant_id,
      data: { tenantId: next.tenant_id, plan: next.plan, provider: next.provider, subscriptionId: next.id },
      traceparent,
    });
  }
}

/**
 * Handles one verified webhook in one transaction: records it (its id is the inbox key, so a
 * redelivery is a recorded `duplicate` with no effect), reads it, replays every fact of its
 * subscription in provider order, and saves the state with the events that announce the change.
 */
export async function ingestWebhook(
  ctx: HandlerContext,
  event: CloudEvent<'ocp.billing.webhook_received.v1'>,
  traceparent?: string,
): Promise<IngestResult> {
  const d: BillingWebhookReceivedV1 = event.data;
  const w = {
    id: event.id,
    provider: d.provider,
    eventId: d.providerEventId,
    eventType: d.providerEventType,
    receivedAt: d.receivedAt,
    body: d.body,
  };
  const result = await withTransaction(ctx.pool, async (client): Promise<IngestResult> => {
    if (!(await recordReceived(client, w))) {
      await recordDuplicate(client, w);
      return { status: 'duplicate' };
    }
    const parsed = parseProviderEvent(d.provider, d.body);
    if (parsed.outcome !== 'fact') {
      await settleWebhook(client, w.id, { status: parsed.outcome, detail: parsed.detail });
      return { status: parsed.outcome };
    }
    const fact = {
      eventId: d.providerEventId,
      eventType: d.providerEventType,
      at: parsed.at,
      fact: parsed.fact,
    };
    await settleWebhook(client, w.id, {
      status: 'applied',
      tenantId: parsed.fact.tenantId,
      subscriptionId: parsed.providerSubscriptionId,
      fact,
    });
    return await applyFacts(ctx, client, w.id, d.provider, parsed.providerSubscriptionId, traceparent);
  }).catch(async (err: unknown): Promise<IngestResult> => {
    // A signed body may still carry what PostgreSQL cannot store (`\u0000`, a lone `\ud800`): the
    // same message would fail the same way for ever, so it is recorded as failed, with why.
    const reason = permanentDbError(err);
    if (!reason) throw err;
    ctx.logger.warn({ webhookId: w.id, reason }, 'a webhook cannot be stored as it is; recorded as failed');
    await recordFailed(ctx.pool, w, `the webhook cannot be stored as it is: ${reason}`);
    return { status: 'failed' };
  });
  ctx.metrics.webhook(d.provider, d.providerEventType, result.status);
  if (result.access) ctx.metrics.decision(result.access, 'webhook');
  return result;
}

/**
 * Replays the facts of a subscription and saves the result with its announcements. Without a known
 * tenant nothing changes and the webhook in hand (if any) is reported `unmatched`.
 */
export async function applyFacts(
  ctx: HandlerContext,
  client: PoolClient,
  webhookId: string | undefined,
  provider: BillingWebhookReceivedV1['provider'],
  subscriptionId: string,
  traceparent: string | undefined,
): Promise<IngestResult> {
  const prev = await lockSubscription(client, provider, subscriptionId);
  const state = foldSubscription(await factsOf(client, provider, subscriptionId));
  if (!state) return { status: 'applied' };
  const tenantId = state.tenantId ?? prev?.tenant_id ?? null;
  const known =
    tenantId !== null && (tenantId === prev?.tenant_id || (await isKnownTenant(client, tenantId)));
  if (!known) {
    // Kept (its fact is replayed with the next event of the subscription, or when the tenant
    // becomes known) and reported.
    if (webhookId === undefined) return { status: 'unmatched' };
    await markUnmatched(
      client,
      webhookId,
      tenantId,
      tenantId
        ? `no tenant ${tenantId} is known to the platform`
        : 'the event names no tenant (metadata.tenant_id or custom_data.tenant_id)',
    );
    return { status: 'unmatched' };
  }
  const now = ctx.now();
  const base = rowFrom(prev, provider, subscriptionId, state, tenantId, planOf(ctx.planMap, state));
  // The grace starts when the subscription enters past_due and survives restarts in the row.
  const revokeAfter =
    base.status === 'past_due'
      ? prev?.status === 'past_due' && prev.revoke_after
        ? prev.revoke_after
        : new Date(now.getTime() + ctx.config.BILLING_PAST_DUE_GRACE_SECONDS * 1000)
      : null;
  const access = decideAccess(base.status, prev?.access ?? null, revokeAfter, now);
  const next = await saveSubscription(client, { ...base, access, revoke_after: revokeAfter });
  const accessChanged = access !== null && access !== (prev?.access ?? null);
  await announce(client, prev, next, accessChanged, traceparent);
  return accessChanged && access ? { status: 'applied', access } : { status: 'applied' };
}

/** `webhooks.received.v1`: a verified provider webhook. */
export function webhookReceivedHandler(ctx: HandlerContext): EventHandler<'ocp.billing.webhook_received.v1'> {
  return async (event, delivery) => {
    await ingestWebhook(ctx, event, delivery.traceparent);
  };
}

/** `webhooks.rejected.v1`: a webhook the gateway refused, kept for the history. */
export function webhookRejectedHandler(ctx: HandlerContext): EventHandler<'ocp.billing.webhook_rejected.v1'> {
  return async (event) => {
    await recordRejected(ctx.pool, {
      id: event.id,
      provider: event.data.provider,
      receivedAt: event.data.receivedAt,
      reason: `${event.data.reason} (${event.data.bodyBytes} bytes from ${event.data.sourceIp})`,
    });
    ctx.metrics.webhook(event.data.provider, 'rejected', 'rejected');
  };
}

/** Sets past-due subscriptions whose grace has run out to revoked, each with its announcement. */
export async function sweepPastDue(ctx: HandlerContext): Promise<number> {
  let n = 0;
  for (const id of await dueForRevocation(ctx.pool, 100)) {
    const done = await withTransaction(ctx.pool, async (client) => {
      const prev = await lockSubscriptionById(client, id);
      if (prev?.status !== 'past_due' || prev.access === 'revoked' || !prev.tenant_id) return false;
      const access = decideAccess(prev.status, prev.access, prev.revoke_after, ctx.now());
      if (access !== 'revoked') return false;
      await setAccess(client, id, 'revoked');
      await announce(client, prev, { ...prev, access: 'revoked' }, true);
      return true;
    });
    if (done) {
      n++;
      ctx.metrics.decision('revoked', 'grace_expired');
    }
  }
  return n;
}
