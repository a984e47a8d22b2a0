import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { listWebhooks, subscriptionsOfTenant, toApiSubscription, type WebhookStatus } from '../db/store.ts';
import type { HandlerContext } from './context.ts';

/** `rpc.billing.subscriptions.get.v1`: the subscriptions of one tenant, newest event first. */
export function getSubscriptionsHandler(ctx: HandlerContext): RpcHandler<'billing.subscriptions.get.v1'> {
  return async (req) => ({
    items: (await subscriptionsOfTenant(ctx.pool, req.tenantId)).map(toApiSubscription),
  });
}

/** `rpc.billing.webhooks.list.v1`: the webhook history, newest first, with a keyset cursor. */
export function listWebhooksHandler(ctx: HandlerContext): RpcHandler<'billing.webhooks.list.v1'> {
  return async (req) => {
    if (req.cursor !== undefined && !/^[1-9][0-9]{0,17}$/.test(req.cursor)) {
      throw new RpcError(
        'VALIDATION_FAILED',
        'the cursor is not one this list gave; start without one',
        '/cursor',
      );
    }
    // The generated request type names the subscription's Status for this field (a name clash in
    // the generated types); the schema itself allows the webhook statuses, and ajv checked them.
    const rows = await listWebhooks(
      ctx.pool,
      {
        provider: req.provider,
        status: req.status as WebhookStatus | undefined,
        tenantId: req.tenantId,
        beforeSeq: req.cursor,
      },
      req.limit + 1,
    );
    const page = rows.slice(0, req.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        provider: r.provider,
        providerEventId: r.provider_event_id,
        providerEventType: r.provider_event_type,
        status: r.status,
        tenantId: r.tenant_id,
        receivedAt: r.received_at.toISOString(),
        detail: r.detail,
      })),
      nextCursor: rows.length > req.limit ? (page[page.length - 1]?.seq ?? null) : null,
    };
  };
}
