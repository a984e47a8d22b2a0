import type { TenantDomain } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, type Queryable } from '@ocp/db';
import { challengeOf } from '../domain/custom-domain.ts';

/** A row of `tenant_domains`. */
export interface DomainRow {
  tenant_id: string;
  domain: string;
  token: string;
  created_at: Date;
  verified_at: Date | null;
}

export function toDomain(r: DomainRow): TenantDomain {
  return {
    tenantId: r.tenant_id,
    domain: r.domain,
    state: r.verified_at ? 'verified' : 'pending',
    challenge: challengeOf(r.domain, r.token),
    createdAt: r.created_at.toISOString(),
    verifiedAt: r.verified_at ? r.verified_at.toISOString() : null,
  };
}

export async function domainsOf(db: Queryable, tenantId: string): Promise<DomainRow[]> {
  const { rows } = await db.query<DomainRow>(
    'SELECT * FROM tenant_domains WHERE tenant_id = $1 ORDER BY domain COLLATE "C"',
    [tenantId],
  );
  return rows;
}

export async function getClaim(
  db: Queryable,
  tenantId: string,
  domain: string,
): Promise<DomainRow | undefined> {
  const { rows } = await db.query<DomainRow>(
    'SELECT * FROM tenant_domains WHERE tenant_id = $1 AND domain = $2',
    [tenantId, domain],
  );
  return rows[0];
}

/** The tenant that holds the domain verified, if any. */
export async function verifiedHolder(db: Queryable, domain: string): Promise<string | undefined> {
  const { rows } = await db.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM tenant_domains WHERE domain = $1 AND verified_at IS NOT NULL',
    [domain],
  );
  return rows[0]?.tenant_id;
}

/**
 * Copies the tenant's verified domains onto its row (`custom_domains`), which the routes and the
 * free-text search read; in the transaction that changed them.
 */
export async function refreshCustomDomains(client: PoolClient, tenantId: string): Promise<void> {
  await client.query(
    `UPDATE tenants SET custom_domains = coalesce((SELECT array_agg(domain ORDER BY domain COLLATE "C")
       FROM tenant_domains WHERE tenant_id = $1 AND verified_at IS NOT NULL), '{}')
     WHERE id = $1`,
    [tenantId],
  );
}

/**
 * Removes every domain of a tenant that is gone for good, so that another tenant may claim them,
 * and queues `tenant.domain_removed` for each that routed to it.
 */
export async function releaseDomainsOf(
  client: PoolClient,
  tenantId: string,
  traceparent?: string,
): Promise<void> {
  const { rows } = await client.query<DomainRow>(
    'DELETE FROM tenant_domains WHERE tenant_id = $1 RETURNING *',
    [tenantId],
  );
  if (rows.length === 0) return;
  await refreshCustomDomains(client, tenantId);
  for (const r of rows.filter((d) => d.verified_at).sort((a, b) => (a.domain < b.domain ? -1 : 1)))
    await enqueueEvent(client, 'ocp.tenant.domain_removed.v1', {
      subject: tenantId,
      data: { tenantId, domain: r.domain },
      ...(traceparent ? { traceparent } : {}),
    });
}
