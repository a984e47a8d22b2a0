import { type Bus, RpcError } from '@ocp/bus';
import type { BillingWebhooksListRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/permissions.ts';
import { apiError, forbidden } from '../../errors.ts';
import { checkTenantScope, tenantScopeOf } from '../../plugins/auth.ts';
import {
  linkBody,
  linkReply,
  subscriptionsReply,
  webhooksQuery,
  webhooksReply,
} from '../../schemas/billing.ts';
import { tenantIdParams } from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

type Provider = 'stripe' | 'paddle';
interface LinkBody {
  provider: Provider;
  priceId?: string;
  returnUrl?: string;
}

/**
 * Billing of tenants, served by the billing service over NATS request/reply: subscriptions, the
 * webhook history, checkout and customer-portal links. A provider whose API key the billing
 * service lacks answers 409; a billing service that does not answer, 503.
 */
export default async function billingRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };

  /** `{tenant}` (an id or a slug) as the tenant's id, within the caller's tenants. */
  const tenantIdOf = async (req: FastifyRequest, key: string, permission: Permission) =>
    (await lookupTenant(bus, rpc, req, key, permission)).id;

  /** The billing service's "no API key for this provider" as the admin API says it. */
  function notConfigured(e: unknown, provider: Provider): never {
    if (e instanceof RpcError && e.code === 'BILLING_NOT_CONFIGURED')
      throw apiError(
        'BILLING_NOT_CONFIGURED',
        `the ${provider} API key is not configured; the billing service needs it to make links`,
        'body/provider',
      );
    throw e;
  }

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/subscriptions',
    {
      config: { permission: 'billing:read', action: 'billing.subscriptions.read' },
      schema: {
        tags: ['billing'],
        summary: "A tenant's subscriptions, from both providers",
        params: tenantIdParams,
        response: { 200: subscriptionsReply },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'billing:read');
      return bus.request('billing.subscriptions.get.v1', { tenantId }, rpc);
    },
  );

  app.get<{ Querystring: Omit<BillingWebhooksListRequestV1, 'limit'> & { limit: number } }>(
    '/api/v1/billing/webhooks',
    {
      config: { permission: 'billing:read', action: 'billing.webhooks.read' },
      schema: {
        tags: ['billing'],
        summary: 'The webhook history, newest first',
        description:
          'Filters: provider, status, tenantId. Page with cursor = nextCursor of the previous page. An account limited to some tenants filters by one of them.',
        querystring: webhooksQuery,
        response: { 200: webhooksReply },
      },
    },
    async (req) => {
      const q = req.query;
      const scope = tenantScopeOf(req);
      if (q.tenantId) checkTenantScope(req, q.tenantId, 'billing:read');
      // The billing service filters by one tenant only: a limited account names one of its own.
      else if (scope)
        throw forbidden(
          'billing:read',
          'this needs the permission billing:read for every tenant; an account limited to some tenants passes tenantId=<one of its tenants>',
        );
      const request: BillingWebhooksListRequestV1 = { limit: q.limit };
      for (const k of ['cursor', 'provider', 'status', 'tenantId'] as const)
        if (q[k] !== undefined) Object.assign(request, { [k]: q[k] });
      return bus.request('billing.webhooks.list.v1', request, rpc);
    },
  );

  for (const kind of ['checkout', 'portal'] as const) {
    app.post<{ Params: { tenant: string }; Body: LinkBody }>(
      `/api/v1/tenants/:tenant/billing/${kind}`,
      {
        config: { permission: 'billing:write', action: `billing.${kind}.create` },
        schema: {
          tags: ['billing'],
          summary:
            kind === 'checkout'
              ? 'A checkout link for a new subscription of the tenant'
              : "A customer-portal link for the tenant's customer",
          description: 'Made through the provider API; 409 when its API key is not configured.',
          params: tenantIdParams,
          body: linkBody,
          response: { 200: linkReply },
        },
      },
      async (req) => {
        const tenantId = await tenantIdOf(req, req.params.tenant, 'billing:write');
        const request = { tenantId, ...req.body };
        try {
          return kind === 'checkout'
            ? await bus.request('billing.checkout.create.v1', request, rpc)
            : await bus.request('billing.portal.create.v1', request, rpc);
        } catch (e) {
          notConfigured(e, req.body.provider);
        }
      },
    );
  }
}
