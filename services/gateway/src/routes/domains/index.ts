import type { Bus } from '@ocp/bus';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addDomainBody, domainListReply, domainParams, tenantDomainRef } from '../../schemas/domains.ts';
import { tenantIdParams } from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

const VERIFY_HOW =
  'The claim is proved by a DNS TXT record named `_ocp-challenge.<domain>` whose value is `ocp-verify=<token>` (the `challenge` of the domain: its `name` and `value`), created at the domain’s DNS provider.';

/**
 * `/api/v1/tenants/{tenant}/domains`: a tenant's custom domains. A claim answers the TXT record
 * that proves it; a verified domain routes to the tenant (the router follows
 * `tenant.domain_verified` and `tenant.domain_removed`). One tenant holds a verified name.
 */
export default async function domainRoutes(
  app: FastifyInstance,
  opts: { bus: Bus; timeoutMs: number; verifyTimeoutMs: number },
) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  // A verification waits on DNS, which may take its timeout twice a server.
  const dnsRpc = { timeoutMs: opts.verifyTimeoutMs };
  const actor = (req: FastifyRequest) => req.principal?.actor ?? 'anonymous';

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/domains',
    {
      config: { permission: 'tenants:read', action: 'tenant.domains.list' },
      schema: {
        tags: ['tenants'],
        summary: "List a tenant's custom domains",
        description: `Every domain the tenant claimed, verified or pending, in name order, each with its challenge. ${VERIFY_HOW}`,
        params: tenantIdParams,
        response: { 200: domainListReply },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'tenants:read');
      const { domains } = await bus.request('tenant.domains.list.v1', { tenantId: tenant.id }, rpc);
      return { items: domains };
    },
  );

  app.post<{ Params: { tenant: string }; Body: { domain: string } }>(
    '/api/v1/tenants/:tenant/domains',
    {
      config: { permission: 'tenants:write', action: 'tenant.domains.add' },
      schema: {
        tags: ['tenants'],
        summary: 'Claim a custom domain for a tenant',
        description: [
          `Answers 201 with the claim (pending) and its \`challenge\`, the DNS record to create; then POST …/domains/{domain}/verify. ${VERIFY_HOW}`,
          'Claiming again a domain the tenant already claimed answers 200 with the same claim. A domain another tenant verified answers 409 DOMAIN_TAKEN; several tenants may claim one name until one of them verifies it. A name that breaks a rule answers 400 with the rule’s code: DOMAIN_INVALID, DOMAIN_TOO_LONG, DOMAIN_LABEL_INVALID, DOMAIN_NOT_QUALIFIED, DOMAIN_IS_IP, DOMAIN_RESERVED (the platform’s own domain).',
        ].join('\n\n'),
        params: tenantIdParams,
        body: addDomainBody,
        response: { 200: tenantDomainRef, 201: tenantDomainRef },
      },
    },
    async (req, reply) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'tenants:write');
      const result = await bus.request(
        'tenant.domains.add.v1',
        { tenantId: tenant.id, domain: req.body.domain, actor: actor(req) },
        rpc,
      );
      req.audit.before = null;
      req.audit.after = result.domain;
      return reply.code(result.created ? 201 : 200).send(result.domain);
    },
  );

  app.post<{ Params: { tenant: string; domain: string } }>(
    '/api/v1/tenants/:tenant/domains/:domain/verify',
    {
      config: { permission: 'tenants:write', action: 'tenant.domains.verify' },
      schema: {
        tags: ['tenants'],
        summary: "Verify a tenant's custom domain by its DNS TXT record",
        description: [
          `Looks the challenge record up in DNS. Found with the expected value, the domain is verified and routes to the tenant (200). ${VERIFY_HOW}`,
          'Not found, or with another value, answers 422 DOMAIN_VERIFICATION_FAILED naming the record to create and what DNS answered; try again once the record shows (DNS may take a while). A domain another tenant verified first answers 409 DOMAIN_TAKEN; one the tenant has not claimed 404 DOMAIN_NOT_FOUND. A verified domain answers 200 as it is.',
        ].join('\n\n'),
        params: domainParams,
        response: { 200: tenantDomainRef },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'tenants:write');
      const { domain } = await bus.request(
        'tenant.domains.verify.v1',
        { tenantId: tenant.id, domain: req.params.domain, actor: actor(req) },
        dnsRpc,
      );
      req.audit.after = domain;
      return domain;
    },
  );

  app.delete<{ Params: { tenant: string; domain: string } }>(
    '/api/v1/tenants/:tenant/domains/:domain',
    {
      config: { permission: 'tenants:write', action: 'tenant.domains.remove' },
      schema: {
        tags: ['tenants'],
        summary: "Remove a tenant's custom domain",
        description:
          'Removes the claim, verified or not; a verified domain stops routing to the tenant at once, and any tenant may claim it again. Answers 200 with the domain as it was; 404 DOMAIN_NOT_FOUND when the tenant has not claimed it.',
        params: domainParams,
        response: { 200: tenantDomainRef },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'tenants:write');
      const { domain } = await bus.request(
        'tenant.domains.remove.v1',
        { tenantId: tenant.id, domain: req.params.domain, actor: actor(req) },
        rpc,
      );
      req.audit.before = domain;
      req.audit.after = null;
      return domain;
    },
  );
}
