import assert from 'node:assert/strict';
import { adminQuery } from '@ocp/testkit';
import type { Platform } from './platform.ts';

/** Creates a tenant through the API, waits for its provisioning to succeed, and answers the tenant. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them.
export async function createTenant(p: Platform, slug: string): Promise<any> {
  const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: `Tenant ${slug}` });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const op = await p.api.waitOperation(res.body.operation.id);
  assert.equal(op.state, 'succeeded', JSON.stringify(op));
  return (await p.api.call('GET', `/api/v1/tenants/${res.body.tenant.id}`)).body;
}

/**
 * A tenant's database password, read as only the tenant service can: unsealed with its key, from
 * its database at `url` (the service's own by default).
 */
export async function tenantPassword(
  p: Platform,
  tenantId: string,
  url = p.tenantEnv.DATABASE_URL,
): Promise<string> {
  const { keyringOf, openSecret } = await import('../../services/tenant/src/domain/secrets.ts');
  const { passwordPlace } = await import('../../services/tenant/src/db/sealed.ts');
  const { rows } = await adminQuery<{ db_password_sealed: string }>(
    'SELECT db_password_sealed FROM tenants WHERE id = $1',
    [tenantId],
    url,
  );
  return openSecret(keyringOf(p.tenantEnv), rows[0]!.db_password_sealed, passwordPlace(tenantId));
}

/**
 * Gives a runtime role (the test's default runtime role unless another is named) a login and a
 * password, as an operator does for the Odoo that connects as it; answers the role and password.
 */
export async function runtimeRoleLogin(
  p: { tenantEnv: Record<string, string> },
  role = p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE!,
  server?: string,
): Promise<{ role: string; password: string }> {
  const { randomBytes } = await import('node:crypto');
  const password = randomBytes(12).toString('base64url');
  await adminQuery(`ALTER ROLE "${role.replaceAll('"', '""')}" LOGIN PASSWORD '${password}'`, [], server);
  return { role, password };
}
