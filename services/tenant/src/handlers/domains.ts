import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { enqueueEvent, type PoolClient, type Queryable, withTransaction } from '@ocp/db';
import {
  type DomainRow,
  domainsOf,
  getClaim,
  refreshCustomDomains,
  toDomain,
  verifiedHolder,
} from '../db/domains.ts';
import type { TenantRow } from '../db/rows.ts';
import { getTenant, lockTenant } from '../db/store.ts';
import {
  canonicalDomain,
  challengeOf,
  newChallengeToken,
  platformBaseDomain,
} from '../domain/custom-domain.ts';
import { lookUpChallenge, parseDnsServers } from '../domain/dns-challenge.ts';
import type { HandlerContext } from './context.ts';

/** How many domains one tenant may claim, verified or not: a bound on its routes and on DNS lookups. */
export const MAX_DOMAINS_PER_TENANT = 50;

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

function liveTenant(row: TenantRow | undefined, tenantId: string): TenantRow {
  if (!row || row.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
  return row;
}

async function mustClaim(db: Queryable, tenant: TenantRow, domain: string): Promise<DomainRow> {
  const claim = await getClaim(db, tenant.id, domain);
  if (!claim)
    throw new RpcError('DOMAIN_NOT_FOUND', `tenant "${tenant.slug}" has not claimed ${domain}`, '/domain');
  return claim;
}

const taken = (domain: string) =>
  new RpcError(
    'DOMAIN_TAKEN',
    `${domain} is verified by another tenant; it routes to one tenant only (that tenant must remove it first)`,
    '/domain',
  );

/** The checker of typed domains, with the platform's base domain of this configuration. */
function canonicalizer(ctx: HandlerContext) {
  const base = platformBaseDomain(ctx.config.TENANT_BASE_URL);
  return (input: string) => canonicalDomain(input, base);
}

/** `rpc.tenant.domains.list.v1`: the tenant's domains, verified or not, in name order. */
export function listDomainsHandler(ctx: HandlerContext): RpcHandler<'tenant.domains.list.v1'> {
  return async (req) => {
    liveTenant(await getTenant(ctx.pool, req.tenantId), req.tenantId);
    return { domains: (await domainsOf(ctx.pool, req.tenantId)).map(toDomain) };
  };
}

/**
 * `rpc.tenant.domains.add.v1`: a claim, with a token of its own. A name another tenant holds
 * verified is refused; one only claimed by others is not: the first to prove it gets it.
 */
export function addDomainHandler(ctx: HandlerContext): RpcHandler<'tenant.domains.add.v1'> {
  const canonical = canonicalizer(ctx);
  return async (req) => {
    const domain = canonical(req.domain);
    return await withTransaction(ctx.pool, async (client) => {
      const tenant = liveTenant(await lockTenant(client, req.tenantId), req.tenantId);
      if (tenant.state === 'deleting')
        throw new RpcError(
          'INVALID_STATE',
          `tenant "${tenant.slug}" is being deleted; it takes no new domains`,
        );
      const mine = await getClaim(client, tenant.id, domain);
      if (mine) return { domain: toDomain(mine), created: false };
      const holder = await verifiedHolder(client, domain);
      if (holder && holder !== tenant.id) throw taken(domain);
      const { rows: counted } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tenant_domains WHERE tenant_id = $1',
        [tenant.id],
      );
      if ((counted[0]?.n ?? 0) >= MAX_DOMAINS_PER_TENANT)
        throw new RpcError(
          'TOO_MANY_DOMAINS',
          `tenant "${tenant.slug}" has claimed ${MAX_DOMAINS_PER_TENANT} domains, as many as a tenant may; remove one first`,
        );
      const { rows } = await client.query<DomainRow>(
        'INSERT INTO tenant_domains (tenant_id, domain, token) VALUES ($1, $2, $3) RETURNING *',
        [tenant.id, domain, newChallengeToken()],
      );
      ctx.logger.info({ tenantId: tenant.id, domain, actor: req.actor }, 'a custom domain was claimed');
      return { domain: toDomain(rows[0]!), created: true };
    });
  };
}

/**
 * `rpc.tenant.domains.verify.v1`: looks the claim's TXT record up (outside any transaction: DNS may
 * take seconds), then marks the domain verified and queues `tenant.domain_verified` together. Two
 * tenants proving one name at once: the unique index lets one through, the other gets DOMAIN_TAKEN.
 */
export function verifyDomainHandler(ctx: HandlerContext): RpcHandler<'tenant.domains.verify.v1'> {
  const canonical = canonicalizer(ctx);
  const { servers } = parseDnsServers(ctx.config.TENANT_DOMAIN_DNS_SERVERS);
  return async (req, { traceparent }) => {
    const domain = canonical(req.domain);
    const tenant = liveTenant(await getTenant(ctx.pool, req.tenantId), req.tenantId);
    const claim = await mustClaim(ctx.pool, tenant, domain);
    if (claim.verified_at) return { domain: toDomain(claim) };
    const holder = await verifiedHolder(ctx.pool, domain);
    if (holder && holder !== tenant.id) throw taken(domain);
    const challenge = challengeOf(domain, claim.token);
    const lookup = await lookUpChallenge(challenge.name, challenge.value, {
      servers,
      timeoutMs: ctx.config.TENANT_DOMAIN_DNS_TIMEOUT_MS,
    });
    if (!lookup.found)
      throw new RpcError(
        'DOMAIN_VERIFICATION_FAILED',
        `expected a TXT record named ${challenge.name} with the value "${challenge.value}"; DNS answered ${lookup.saw}. Create that record at the domain's DNS provider, then verify again (DNS may take a while to show it)`,
        '/domain',
      );
    return await withTransaction(ctx.pool, async (client) => {
      liveTenant(await lockTenant(client, tenant.id), tenant.id);
      let rows: DomainRow[];
      try {
        ({ rows } = await client.query<DomainRow>(
          `UPDATE tenant_domains SET verified_at = coalesce(verified_at, date_trunc('milliseconds', now()))
           WHERE tenant_id = $1 AND domain = $2 AND token = $3 RETURNING *`,
          [tenant.id, domain, claim.token],
        ));
      } catch (e) {
        if (isUniqueViolation(e)) throw taken(domain);
        throw e;
      }
      // Removed (or removed and claimed again, with a new token) while DNS was asked.
      if (!rows[0]) throw new RpcError('DOMAIN_NOT_FOUND', `the claim of ${domain} was removed meanwhile`);
      await refreshCustomDomains(client, tenant.id);
      await enqueueEvent(client, 'ocp.tenant.domain_verified.v1', {
        subject: tenant.id,
        data: { tenantId: tenant.id, domain },
        traceparent,
      });
      ctx.logger.info({ tenantId: tenant.id, domain, actor: req.actor }, 'a custom domain was verified');
      return { domain: toDomain(rows[0]) };
    });
  };
}

/** `rpc.tenant.domains.remove.v1`: the claim goes; a verified domain stops routing to the tenant. */
export function removeDomainHandler(ctx: HandlerContext): RpcHandler<'tenant.domains.remove.v1'> {
  return async (req, { traceparent }) => {
    // Without the base-domain rule: a claim made before TENANT_BASE_URL changed can still go.
    const domain = canonicalDomain(req.domain, '');
    return await withTransaction(ctx.pool, async (client: PoolClient) => {
      const tenant = liveTenant(await lockTenant(client, req.tenantId), req.tenantId);
      await mustClaim(client, tenant, domain);
      const { rows } = await client.query<DomainRow>(
        'DELETE FROM tenant_domains WHERE tenant_id = $1 AND domain = $2 RETURNING *',
        [tenant.id, domain],
      );
      const removed = rows[0]!;
      if (removed.verified_at) {
        await refreshCustomDomains(client, tenant.id);
        await enqueueEvent(client, 'ocp.tenant.domain_removed.v1', {
          subject: tenant.id,
          data: { tenantId: tenant.id, domain },
          traceparent,
        });
      }
      ctx.logger.info({ tenantId: tenant.id, domain, actor: req.actor }, 'a custom domain was removed');
      return { domain: toDomain(removed) };
    });
  };
}
