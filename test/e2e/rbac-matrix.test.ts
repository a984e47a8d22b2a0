import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { adminQuery } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type Answer, call, invite, login, type Session } from '../support/rbac.ts';

const Y = true;
const N = false;
/**
 * Allowed by the role; the backup's tenant decides, which only the backup service knows: a 403
 * naming the permission for a backup that is not of the account's tenants (an unknown one is not
 * either), or a 503 while the platform runs no backup service.
 */
const S = 'backup-scope';
type Cell = boolean | typeof S;

/** Who asks, one column each; the tenant-scoped operator asks about its own tenant, then another one. */
const columns = ['owner', 'admin', 'operator', 'billing', 'viewer', 'scoped', 'scopedOther'] as const;
type Column = (typeof columns)[number];

/**
 * The expected answer of every route of the admin API to every role: allowed (anything but 401 and
 * 403) or denied (403 naming the permission). Written out by hand: the test fails when the app has
 * a route without a row here.
 */
// biome-ignore format: the table reads as a table.
const matrix: Record<string, [permission: string, ...allowed: Cell[]]> = {
  //                                                permission          owner admin oper  bill  view  scoped scopedOther
  'POST /api/v1/auth/logout':                       ['self',            Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'GET /api/v1/me':                                 ['self',            Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'POST /api/v1/me/password':                       ['self',            Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'GET /api/v1/tenants':                            ['tenants:read',    Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'GET /api/v1/events':                             ['tenants:read',    Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'POST /api/v1/tenants':                           ['tenants:create',  Y,    Y,    Y,    N,    N,    N,    N],
  'GET /api/v1/tenants/{tenant}':                   ['tenants:read',    Y,    Y,    Y,    Y,    Y,    Y,    N],
  'POST /api/v1/tenants/{tenant}/suspend':          ['tenants:suspend', Y,    Y,    Y,    N,    N,    Y,    N],
  'POST /api/v1/tenants/{tenant}/resume':           ['tenants:resume',  Y,    Y,    Y,    N,    N,    Y,    N],
  'POST /api/v1/tenants/{tenant}/retry':            ['tenants:retry',   Y,    Y,    Y,    N,    N,    Y,    N],
  'DELETE /api/v1/tenants/{tenant}':                ['tenants:delete',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/undelete':         ['tenants:delete',  Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/operations/{id}':                    ['operations:read', Y,    Y,    Y,    N,    Y,    Y,    N],
  'GET /api/v1/operations':                         ['operations:read', Y,    Y,    Y,    N,    Y,    Y,    N],
  'GET /api/v1/tenants/stats':                      ['tenants:read',    Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'GET /api/v1/operators':                          ['operators:read',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/operators':                         ['operators:write', Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/operators/{id}':                     ['operators:read',  Y,    Y,    N,    N,    N,    N,    N],
  'PATCH /api/v1/operators/{id}':                   ['operators:write', Y,    Y,    N,    N,    N,    N,    N],
  'DELETE /api/v1/operators/{id}':                  ['operators:write', Y,    Y,    N,    N,    N,    N,    N],
  'DELETE /api/v1/operators/{id}/login-lock':       ['operators:unlock', Y,   Y,    N,    N,    N,    N,    N],
  'GET /api/v1/roles':                              ['operators:read',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/tokens':                            ['tokens:own',      Y,    Y,    Y,    N,    N,    Y,    Y],
  'GET /api/v1/tokens':                             ['tokens:own',      Y,    Y,    Y,    N,    N,    Y,    Y],
  'DELETE /api/v1/tokens/{id}':                     ['tokens:own',      Y,    Y,    Y,    N,    N,    Y,    Y],
  'GET /api/v1/audit':                              ['audit:read',      Y,    Y,    N,    N,    Y,    N,    N],
  'GET /api/v1/audit/export':                       ['audit:export',    Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/audit/verify':                      ['audit:verify',    Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/tenants/{tenant}/subscriptions':     ['billing:read',    Y,    Y,    N,    Y,    N,    N,    N],
  'GET /api/v1/billing/webhooks':                   ['billing:read',    Y,    Y,    N,    Y,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/billing/checkout': ['billing:write',   Y,    Y,    N,    Y,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/billing/portal':   ['billing:write',   Y,    Y,    N,    Y,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/duplicate':        ['tenants:duplicate', Y,  Y,    Y,    N,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/rename':           ['tenants:rename',  Y,    Y,    Y,    N,    N,    Y,    N],
  'GET /api/v1/tenants/{tenant}/modules':           ['modules:read',    Y,    Y,    Y,    N,    Y,    Y,    N],
  'POST /api/v1/tenants/{tenant}/modules/{module}/install':   ['modules:write', Y, Y, Y, N,  N,    Y,    N],
  'POST /api/v1/tenants/{tenant}/modules/{module}/upgrade':   ['modules:write', Y, Y, Y, N,  N,    Y,    N],
  'POST /api/v1/tenants/{tenant}/modules/{module}/uninstall': ['modules:write', Y, Y, Y, N,  N,    Y,    N],
  'POST /api/v1/runtimes':                          ['runtimes:write',  Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/runtimes':                           ['runtimes:read',   Y,    Y,    Y,    N,    Y,    N,    N],
  'GET /api/v1/database-servers':                   ['runtimes:read',   Y,    Y,    Y,    N,    Y,    N,    N],
  'POST /api/v1/database-servers':                  ['runtimes:write',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/move':             ['tenants:move',    Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/runtimes/{runtime}':                 ['runtimes:read',   Y,    Y,    Y,    N,    Y,    N,    N],
  'POST /api/v1/runtimes/{runtime}/disable':        ['runtimes:write',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/runtimes/{runtime}/template':       ['runtimes:write',  Y,    Y,    N,    N,    N,    N,    N],
  'POST /api/v1/tenants/{tenant}/backups':          ['backups:write',   Y,    Y,    Y,    N,    N,    Y,    N],
  'GET /api/v1/tenants/{tenant}/backups':           ['backups:read',    Y,    Y,    Y,    N,    Y,    Y,    N],
  'GET /api/v1/tenants/{tenant}/backup-window':     ['backups:read',    Y,    Y,    Y,    N,    Y,    Y,    N],
  'PUT /api/v1/tenants/{tenant}/backup-window':     ['backups:write',   Y,    Y,    Y,    N,    N,    Y,    N],
  'GET /api/v1/backups/overdue':                    ['backups:read',    Y,    Y,    Y,    N,    Y,    Y,    Y],
  'GET /api/v1/backups/{backup}':                   ['backups:read',    Y,    Y,    Y,    N,    Y,    S,    S],
  'POST /api/v1/backups/{backup}/restore':          ['backups:restore', Y,    Y,    Y,    N,    N,    S,    S],
  'POST /api/v1/backups/{backup}/drill':            ['backups:write',   Y,    Y,    Y,    N,    N,    S,    S],
  'GET /api/v1/backups/{backup}/download':          ['backups:download', Y,   Y,    N,    N,    N,    N,    N],
  'POST /api/v1/tenants/import':                    ['tenants:import',  Y,    Y,    Y,    N,    N,    N,    N],
  'GET /api/v1/tenants/{tenant}/domains':           ['tenants:read',    Y,    Y,    Y,    Y,    Y,    Y,    N],
  'POST /api/v1/tenants/{tenant}/domains':          ['tenants:write',   Y,    Y,    Y,    N,    N,    Y,    N],
  'POST /api/v1/tenants/{tenant}/domains/{domain}/verify': ['tenants:write', Y, Y, Y,  N,    N,    Y,    N],
  'DELETE /api/v1/tenants/{tenant}/domains/{domain}': ['tenants:write', Y,    Y,    Y,    N,    N,    Y,    N],
  'GET /api/v1/plans':                              ['plans:read',      Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'GET /api/v1/plans/{plan}':                       ['plans:read',      Y,    Y,    Y,    Y,    Y,    Y,    Y],
  'PUT /api/v1/plans/{plan}':                       ['plans:write',     Y,    Y,    N,    N,    N,    N,    N],
  'DELETE /api/v1/plans/{plan}':                    ['plans:write',     Y,    Y,    N,    N,    N,    N,    N],
  'GET /api/v1/tenants/{tenant}/quota':             ['quotas:read',     Y,    Y,    Y,    Y,    Y,    Y,    N],
  'GET /api/v1/tenants/{tenant}/usage':             ['quotas:read',     Y,    Y,    Y,    Y,    Y,    Y,    N],
  'POST /api/v1/tenants/{tenant}/usage/measure':    ['quotas:write',    Y,    Y,    Y,    N,    N,    Y,    N],
  'PUT /api/v1/tenants/{tenant}/quota/override':    ['quotas:write',    Y,    Y,    Y,    N,    N,    Y,    N],
  'DELETE /api/v1/tenants/{tenant}/quota/override': ['quotas:write',    Y,    Y,    Y,    N,    N,    Y,    N],
  'PUT /api/v1/tenants/{tenant}/trial':             ['quotas:write',    Y,    Y,    Y,    N,    N,    Y,    N],
};
/** Routes that answer without a login. */
const publicRoutes = ['POST /api/v1/auth/login'];

interface Ctx {
  tenant: string;
  operation: string;
  viewerId: string;
  column: Column;
  /** A session of its own, for the cells that end one. */
  fresh(): Promise<Session>;
}

/** A meaningful request for each route, where it is cheap; an allowed cell may still answer 404 or 409. */
const requests: Record<
  string,
  (c: Ctx) => Promise<{ path: string; body?: unknown; headers?: Record<string, string>; session?: Session }>
> = {
  'POST /api/v1/auth/logout': async (c) => ({ path: '/api/v1/auth/logout', session: await c.fresh() }),
  'GET /api/v1/me': async () => ({ path: '/api/v1/me' }),
  'POST /api/v1/me/password': async () => ({
    path: '/api/v1/me/password',
    body: { currentPassword: 'not-the-password', newPassword: 'a-new-password-of-length' },
  }),
  'GET /api/v1/tenants': async () => ({ path: '/api/v1/tenants' }),
  // Its first frames are its answer (see `call`).
  'GET /api/v1/events': async () => ({ path: '/api/v1/events' }),
  'POST /api/v1/tenants': async (c) => ({
    path: '/api/v1/tenants',
    body: { slug: `m-${c.column.toLowerCase()}`, displayName: `Made by ${c.column}` },
  }),
  'GET /api/v1/tenants/{tenant}': async (c) => ({ path: `/api/v1/tenants/${c.tenant}` }),
  'POST /api/v1/tenants/{tenant}/suspend': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/suspend`,
    body: { reason: 'manual' },
  }),
  'POST /api/v1/tenants/{tenant}/resume': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/resume`,
    body: { reason: 'manual' },
  }),
  'POST /api/v1/tenants/{tenant}/retry': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/retry` }),
  // A tenant that does not exist: allowed cells answer 404 and nothing is lost.
  'DELETE /api/v1/tenants/{tenant}': async () => ({ path: `/api/v1/tenants/${randomUUID()}` }),
  // The test's tenant is active: allowed cells answer 409 (nothing to undo) and nothing changes.
  'POST /api/v1/tenants/{tenant}/undelete': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/undelete` }),
  'GET /api/v1/operations/{id}': async (c) => ({ path: `/api/v1/operations/${c.operation}` }),
  'GET /api/v1/operations': async (c) => ({ path: `/api/v1/operations?tenantId=${c.tenant}&limit=5` }),
  'GET /api/v1/tenants/stats': async () => ({ path: '/api/v1/tenants/stats' }),
  'GET /api/v1/operators': async () => ({ path: '/api/v1/operators' }),
  'POST /api/v1/operators': async (c) => ({
    path: '/api/v1/operators',
    body: { email: `invited-by-${c.column.toLowerCase()}@example.com`, role: 'viewer' },
  }),
  'GET /api/v1/operators/{id}': async (c) => ({ path: `/api/v1/operators/${c.viewerId}` }),
  'PATCH /api/v1/operators/{id}': async (c) => ({
    path: `/api/v1/operators/${c.viewerId}`,
    body: { role: 'viewer' },
  }),
  'DELETE /api/v1/operators/{id}': async () => ({ path: `/api/v1/operators/${randomUUID()}` }),
  'DELETE /api/v1/operators/{id}/login-lock': async (c) => ({
    path: `/api/v1/operators/${c.viewerId}/login-lock`,
  }),
  'GET /api/v1/roles': async () => ({ path: '/api/v1/roles' }),
  'POST /api/v1/tokens': async (c) => ({
    path: '/api/v1/tokens',
    body: { name: `matrix ${c.column}`, scopes: ['tenants:read'], expiresInDays: 1 },
  }),
  'GET /api/v1/tokens': async () => ({ path: '/api/v1/tokens' }),
  'DELETE /api/v1/tokens/{id}': async () => ({ path: `/api/v1/tokens/${randomUUID()}` }),
  'GET /api/v1/audit': async () => ({ path: '/api/v1/audit?limit=10' }),
  'GET /api/v1/audit/export': async () => ({ path: '/api/v1/audit/export?format=csv' }),
  'POST /api/v1/audit/verify': async () => ({ path: '/api/v1/audit/verify', body: {} }),
  'GET /api/v1/tenants/{tenant}/subscriptions': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/subscriptions`,
  }),
  'GET /api/v1/billing/webhooks': async (c) => ({
    path: `/api/v1/billing/webhooks?limit=10&tenantId=${c.tenant}`,
  }),
  'POST /api/v1/tenants/{tenant}/billing/checkout': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/billing/checkout`,
    body: { provider: 'stripe', returnUrl: 'https://example.com/back' },
  }),
  'POST /api/v1/tenants/{tenant}/billing/portal': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/billing/portal`,
    body: { provider: 'paddle' },
  }),
  // A source that does not exist: allowed cells answer 404 and no copy is made.
  'POST /api/v1/tenants/{tenant}/duplicate': async () => ({
    path: `/api/v1/tenants/${randomUUID()}/duplicate`,
    body: { slug: 'matrix-copy' },
  }),
  // The scoped operator asks for its own tenant, under a slug in use (409); the others for no tenant (404).
  'POST /api/v1/tenants/{tenant}/rename': async (c) => ({
    path: `/api/v1/tenants/${c.column.startsWith('scoped') ? c.tenant : randomUUID()}/rename`,
    body: { slug: 'matrix-b' },
  }),
  // No runtime serves the matrix's tenants: allowed cells answer 409 NO_RUNTIME.
  'GET /api/v1/tenants/{tenant}/modules': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/modules` }),
  'POST /api/v1/tenants/{tenant}/modules/{module}/install': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/modules/crm/install`,
  }),
  'POST /api/v1/tenants/{tenant}/modules/{module}/upgrade': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/modules/base/upgrade`,
  }),
  'POST /api/v1/tenants/{tenant}/modules/{module}/uninstall': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/modules/crm/uninstall`,
  }),
  // Without a master password: allowed cells answer 400 and nothing is asked of any runtime.
  'POST /api/v1/runtimes': async (c) => ({
    path: '/api/v1/runtimes',
    body: {
      name: `matrix-${c.column.toLowerCase()}`,
      odooVersion: '18.0',
      rpcUrl: 'http://127.0.0.1:9/',
      dbRole: 'odoo',
      filestorePath: '/nonexistent/filestore',
    },
  }),
  'GET /api/v1/runtimes': async () => ({ path: '/api/v1/runtimes' }),
  'GET /api/v1/database-servers': async () => ({ path: '/api/v1/database-servers' }),
  // A server nothing listens on: allowed cells answer 400 (it cannot be reached) and nothing changes.
  'POST /api/v1/database-servers': async (c) => ({
    path: '/api/v1/database-servers',
    body: { name: `s-${c.column.toLowerCase()}`, adminUrl: 'postgres://nobody@127.0.0.1:1/postgres' },
  }),
  'POST /api/v1/tenants/{tenant}/move': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/move`,
    body: { databaseServerId: randomUUID() },
  }),
  // A runtime that does not exist: allowed cells answer 404 RUNTIME_NOT_FOUND.
  'GET /api/v1/runtimes/{runtime}': async () => ({ path: '/api/v1/runtimes/no-such-runtime' }),
  'POST /api/v1/runtimes/{runtime}/disable': async () => ({
    path: '/api/v1/runtimes/no-such-runtime/disable',
  }),
  'POST /api/v1/runtimes/{runtime}/template': async () => ({
    path: '/api/v1/runtimes/no-such-runtime/template',
  }),
  // The scoped operator backs up its own tenant; the others no tenant (404).
  'POST /api/v1/tenants/{tenant}/backups': async (c) => ({
    path: `/api/v1/tenants/${c.column.startsWith('scoped') ? c.tenant : randomUUID()}/backups`,
  }),
  'GET /api/v1/tenants/{tenant}/backups': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/backups` }),
  'GET /api/v1/tenants/{tenant}/backup-window': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/backup-window`,
  }),
  'PUT /api/v1/tenants/{tenant}/backup-window': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/backup-window`,
    body: { windowStart: '02:30' },
  }),
  'GET /api/v1/backups/overdue': async () => ({ path: '/api/v1/backups/overdue?limit=5' }),
  // A backup that does not exist: allowed cells answer 404 BACKUP_NOT_FOUND, limited ones 403.
  'GET /api/v1/backups/{backup}': async () => ({ path: `/api/v1/backups/${randomUUID()}` }),
  'POST /api/v1/backups/{backup}/restore': async (c) => ({
    path: `/api/v1/backups/${randomUUID()}/restore`,
    body: { tenantId: c.tenant },
  }),
  'POST /api/v1/backups/{backup}/drill': async () => ({ path: `/api/v1/backups/${randomUUID()}/drill` }),
  'GET /api/v1/backups/{backup}/download': async () => ({
    path: `/api/v1/backups/${randomUUID()}/download`,
  }),
  // Not a zip: allowed cells answer 422 BACKUP_UNUSABLE and no tenant is kept.
  'POST /api/v1/tenants/import': async (c) => ({
    path: `/api/v1/tenants/import?slug=imported-${c.column.toLowerCase()}`,
    body: 'not a zip',
    headers: { 'content-type': 'application/zip' },
  }),
  'GET /api/v1/tenants/{tenant}/domains': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/domains` }),
  // A claim each (201, or 200 for the same name again); no DNS record is ever made for it.
  'POST /api/v1/tenants/{tenant}/domains': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/domains`,
    body: { domain: `${c.column.toLowerCase()}.matrix.example` },
  }),
  // A name the tenant never claimed: allowed cells answer 404 DOMAIN_NOT_FOUND, before any DNS lookup.
  'POST /api/v1/tenants/{tenant}/domains/{domain}/verify': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/domains/unclaimed.matrix.example/verify`,
  }),
  'DELETE /api/v1/tenants/{tenant}/domains/{domain}': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/domains/unclaimed.matrix.example`,
  }),
  'GET /api/v1/plans': async () => ({ path: '/api/v1/plans?limit=5' }),
  // A plan that does not exist: allowed cells answer 404 PLAN_NOT_FOUND.
  'GET /api/v1/plans/{plan}': async () => ({ path: '/api/v1/plans/no-such-plan' }),
  // A plan of each allowed column's own, no tenant on it.
  'PUT /api/v1/plans/{plan}': async (c) => ({
    path: `/api/v1/plans/matrix-${c.column.toLowerCase()}`,
    body: {
      displayName: `Made by ${c.column}`,
      limits: {
        activeUsers: 5,
        databaseBytes: null,
        filestoreBytes: null,
        backupBytes: null,
        backupGenerations: 7,
      },
    },
  }),
  'DELETE /api/v1/plans/{plan}': async () => ({ path: '/api/v1/plans/no-such-plan' }),
  'GET /api/v1/tenants/{tenant}/quota': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/quota` }),
  'GET /api/v1/tenants/{tenant}/usage': async (c) => ({ path: `/api/v1/tenants/${c.tenant}/usage?limit=5` }),
  'POST /api/v1/tenants/{tenant}/usage/measure': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/usage/measure`,
  }),
  'PUT /api/v1/tenants/{tenant}/quota/override': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/quota/override`,
    body: { limits: { activeUsers: 10 } },
  }),
  'DELETE /api/v1/tenants/{tenant}/quota/override': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/quota/override`,
  }),
  'PUT /api/v1/tenants/{tenant}/trial': async (c) => ({
    path: `/api/v1/tenants/${c.tenant}/trial`,
    body: { endsAt: new Date(Date.now() + 30 * 86400_000).toISOString() },
  }),
};

async function createTenant(owner: Session, slug: string): Promise<{ id: string; operation: string }> {
  const res = await owner.call('POST', '/api/v1/tenants', { slug, displayName: slug });
  assert.equal(res.status, 202, res.text);
  return { id: res.body.tenant.id, operation: res.body.operation.id };
}

async function documentedRoutes(p: Platform): Promise<Map<string, string | undefined>> {
  const doc = (await (await fetch(`${p.gateway.url}/docs/json`)).json()) as {
    paths: Record<string, Record<string, { 'x-permission'?: string }>>;
  };
  const out = new Map<string, string | undefined>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops))
      out.set(`${method.toUpperCase()} ${path}`, op['x-permission']);
  return out;
}

describe('the permission matrix of the admin API', () => {
  let p: Platform;
  let owner: Session;
  const sessions = {} as Record<Exclude<Column, 'scopedOther'>, Session>;
  let tenantA: { id: string; operation: string };
  let tenantB: { id: string; operation: string };

  before(async () => {
    p = await startPlatform();
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    tenantA = await createTenant(owner, 'matrix-a');
    tenantB = await createTenant(owner, 'matrix-b');
    await p.api.waitOperation(tenantA.operation);
    await p.api.waitOperation(tenantB.operation);
    sessions.owner = owner;
    sessions.admin = await invite(owner, 'admin@example.com', 'admin');
    sessions.operator = await invite(owner, 'operator@example.com', 'operator');
    sessions.billing = await invite(owner, 'billing@example.com', 'billing');
    sessions.viewer = await invite(owner, 'viewer@example.com', 'viewer');
    sessions.scoped = await invite(owner, 'scoped@example.com', 'operator', [tenantA.id]);
  });
  after(async () => p?.close());

  test('every route of the app has a row in the matrix, and the app documents the same permission', async () => {
    const documented = await documentedRoutes(p);
    const api = [...documented.keys()].filter((r) => r.includes(' /api/v1'));
    const missing = api.filter((r) => !matrix[r] && !publicRoutes.includes(r));
    assert.deepEqual(missing, [], 'routes of the app with no row in the matrix');
    const stale = Object.keys(matrix).filter((r) => !documented.has(r));
    assert.deepEqual(stale, [], 'rows of the matrix with no route in the app');
    for (const [route, [permission]] of Object.entries(matrix))
      assert.equal(documented.get(route), permission, `${route} needs ${permission}`);
    for (const r of Object.keys(requests)) assert.ok(matrix[r], `${r} has a request and a row`);
    for (const r of Object.keys(matrix)) assert.ok(requests[r], `${r} has a request to make`);
  });

  test('each role gets exactly what the matrix allows; a refusal is a 403 naming the permission', async () => {
    const failures: string[] = [];
    for (const [route, [permission, ...allowed]] of Object.entries(matrix)) {
      const method = route.split(' ')[0]!;
      for (const [i, column] of columns.entries()) {
        const who = sessions[column === 'scopedOther' ? 'scoped' : column];
        const other = column === 'scopedOther';
        const ctx: Ctx = {
          tenant: other ? tenantB.id : tenantA.id,
          operation: other ? tenantB.operation : tenantA.operation,
          viewerId: sessions.viewer.id,
          column,
          fresh: () => login(p.gateway.url, who.email, who.password),
        };
        const req = await requests[route]!(ctx);
        const res: Answer = await (req.session ?? who).call(method, req.path, req.body, req.headers);
        const cell = `${route} as ${column}: ${res.status} ${res.text.slice(0, 300)}`;
        if (allowed[i] === S) {
          const refused =
            res.status === 403 && res.body?.permission === permission && /tenants/.test(res.body.detail);
          const noBackupService =
            res.status === 503 && /backup service did not answer/.test(res.body?.detail ?? '');
          if (!refused && !noBackupService)
            failures.push(`refused for the backup's tenant (403 naming ${permission}), but ${cell}`);
        } else if (allowed[i]) {
          if (res.status === 401 || res.status === 403 || (res.status >= 500 && res.status !== 503))
            failures.push(`allowed, but ${cell}`);
        } else if (
          res.status !== 403 ||
          res.body?.permission !== permission ||
          !res.body.detail.includes(permission)
        )
          failures.push(`denied (403 naming ${permission}), but ${cell}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('the roles route answers what each role is granted: the permissions /me reports to an account of it', async () => {
    const res = await owner.call('GET', '/api/v1/roles');
    assert.equal(res.status, 200, res.text);
    const table = res.body as {
      roles: { name: string; description: string; permissions: string[] }[];
      permissions: { name: string; description: string; global: boolean }[];
    };
    assert.deepEqual(
      table.roles.map((r) => r.name),
      ['owner', 'admin', 'operator', 'billing', 'viewer'],
    );
    const names = table.permissions.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, 'each permission once');
    for (const p of table.permissions) assert.ok(p.description.length > 0, p.name);
    assert.deepEqual(
      table.roles.find((r) => r.name === 'owner')!.permissions,
      names,
      'owners hold every permission, in the order of the list',
    );
    for (const role of ['owner', 'admin', 'operator', 'billing', 'viewer'] as const) {
      const me = await sessions[role].call('GET', '/api/v1/me');
      const granted = table.roles.find((r) => r.name === role)!;
      assert.ok(granted.description.length > 0, role);
      assert.deepEqual([...me.body.permissions].sort(), [...granted.permissions].sort(), role);
    }
    // A limited account holds its role's permissions less the global ones.
    const global = new Set(table.permissions.filter((p) => p.global).map((p) => p.name));
    const scoped = await sessions.scoped.call('GET', '/api/v1/me');
    assert.deepEqual(
      [...scoped.body.permissions].sort(),
      table.roles
        .find((r) => r.name === 'operator')!
        .permissions.filter((p) => !global.has(p))
        .sort(),
    );
    assert.ok(global.has('tenants:create') && !global.has('tenants:suspend'));
  });

  test('the login answers without credentials', async () => {
    const res = await call(p.gateway.url, undefined, 'POST', '/api/v1/auth/login', {
      email: 'nobody@example.com',
      password: 'wrong password',
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.detail, 'the email or the password is wrong');
  });

  test('a tenant-scoped operator lists only its tenants and cannot reach another one, by id, slug or operation', async () => {
    const s = sessions.scoped;
    const list = await s.call('GET', '/api/v1/tenants?limit=200');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((t: { id: string }) => t.id),
      [tenantA.id],
    );
    const ownerList = await owner.call('GET', '/api/v1/tenants?limit=200');
    assert.ok(ownerList.body.items.length > 1, 'others see more tenants');
    assert.equal((await s.call('GET', '/api/v1/tenants/matrix-a')).status, 200);
    for (const path of [
      `/api/v1/tenants/${tenantB.id}`,
      '/api/v1/tenants/matrix-b',
      '/api/v1/tenants/no-such-tenant',
      `/api/v1/tenants/${randomUUID()}`,
      `/api/v1/operations/${tenantB.operation}`,
      `/api/v1/tenants/${tenantB.id}/backups`,
      '/api/v1/tenants/matrix-b/backups',
    ]) {
      const res = await s.call('GET', path);
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.match(res.body.permission, /^(tenants|operations|backups):read$/);
    }
    const me = await s.call('GET', '/api/v1/me');
    assert.deepEqual(me.body.tenantScope, [tenantA.id]);
    assert.ok(!me.body.permissions.includes('tenants:create'), 'a limited account cannot create tenants');
    const create = await s.call('POST', '/api/v1/tenants', { slug: 'scoped-new', displayName: 'No' });
    assert.equal(create.status, 403);
    assert.match(create.body.detail, /limited to some tenants/);
  });

  describe('API tokens', () => {
    async function makeToken(s: Session, scopes: string[], expiresInDays = 1) {
      const res = await s.call('POST', '/api/v1/tokens', {
        name: `t-${scopes.join(',')}`,
        scopes,
        expiresInDays,
      });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.token, /^ocpt_/);
      return res.body as { token: string; apiToken: { id: string } };
    }
    const withToken = (token: string, method: string, path: string, body?: unknown) =>
      call(p.gateway.url, token, method, path, body);

    test('a token with a narrow scope is refused beyond it with 403 naming the permission', async () => {
      const { token } = await makeToken(sessions.operator, ['tenants:read']);
      assert.equal((await withToken(token, 'GET', '/api/v1/tenants')).status, 200);
      const create = await withToken(token, 'POST', '/api/v1/tenants', {
        slug: 'by-token',
        displayName: 'x',
      });
      assert.equal(create.status, 403);
      assert.equal(create.body.permission, 'tenants:create');
      assert.match(create.body.detail, /not among this API token's scopes/);
      const me = await withToken(token, 'GET', '/api/v1/me');
      assert.equal(me.status, 403);
      assert.equal(me.body.permission, 'self');
    });

    test('a token cannot hold more than its maker', async () => {
      const res = await sessions.operator.call('POST', '/api/v1/tokens', {
        name: 'greedy',
        scopes: ['tenants:read', 'tenants:delete'],
      });
      assert.equal(res.status, 403);
      assert.equal(res.body.permission, 'tenants:delete');
    });

    test("a request with a token needs both its scopes and its owner's current role", async () => {
      const op = await invite(owner, 'demoted@example.com', 'operator');
      const { token } = await makeToken(op, ['tenants:read', 'tenants:create', 'self']);
      const before = await withToken(token, 'GET', '/api/v1/me');
      assert.ok(before.body.permissions.includes('tenants:create'));
      assert.equal((await owner.call('PATCH', `/api/v1/operators/${op.id}`, { role: 'viewer' })).status, 200);
      const create = await withToken(token, 'POST', '/api/v1/tenants', {
        slug: 'after-demotion',
        displayName: 'x',
      });
      assert.equal(create.status, 403);
      assert.equal(create.body.permission, 'tenants:create');
      assert.match(create.body.detail, /role viewer/);
      assert.equal((await withToken(token, 'GET', '/api/v1/tenants')).status, 200);
      const me = await withToken(token, 'GET', '/api/v1/me');
      assert.deepEqual(me.body.permissions, ['self', 'tenants:read']);
      assert.equal(me.body.authenticatedBy, 'token');
    });

    test('an expired token and a revoked one answer 401 saying which', async () => {
      const expiring = await makeToken(sessions.operator, ['tenants:read']);
      await adminQuery(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
        [expiring.apiToken.id],
        p.gatewayEnv.DATABASE_URL,
      );
      const expired = await withToken(expiring.token, 'GET', '/api/v1/tenants');
      assert.equal(expired.status, 401);
      assert.match(expired.body.detail, /expired at .*make a new one/);

      const revoking = await makeToken(sessions.operator, ['tenants:read']);
      assert.equal((await withToken(revoking.token, 'GET', '/api/v1/tenants')).status, 200);
      const del = await sessions.operator.call('DELETE', `/api/v1/tokens/${revoking.apiToken.id}`);
      assert.equal(del.status, 204);
      const revoked = await withToken(revoking.token, 'GET', '/api/v1/tenants');
      assert.equal(revoked.status, 401);
      assert.match(revoked.body.detail, /revoked at/);

      const unknown = await withToken(`ocpt_${'x'.repeat(43)}`, 'GET', '/api/v1/tenants');
      assert.equal(unknown.status, 401);
      assert.match(unknown.body.detail, /unknown/);
    });

    test('tokens are listed to their makers, and to admins all of them; never the token itself', async () => {
      const mine = await makeToken(sessions.operator, ['tenants:read']);
      const viewerToken = await makeToken(sessions.admin, ['tenants:read']);
      const opList = await sessions.operator.call('GET', '/api/v1/tokens?limit=200');
      const opIds = opList.body.items.map((t: { id: string }) => t.id);
      assert.ok(opIds.includes(mine.apiToken.id));
      assert.ok(!opIds.includes(viewerToken.apiToken.id), "an operator does not see an admin's token");
      const adminList = await sessions.admin.call('GET', '/api/v1/tokens?limit=200');
      assert.ok(adminList.body.items.some((t: { id: string }) => t.id === mine.apiToken.id));
      assert.ok(!adminList.text.includes(mine.token), 'the list never shows a token');
      const notYours = await sessions.operator.call('DELETE', `/api/v1/tokens/${viewerToken.apiToken.id}`);
      assert.equal(notYours.status, 404);
      const page1 = await sessions.admin.call('GET', '/api/v1/tokens?limit=2');
      assert.equal(page1.body.items.length, 2);
      const page2 = await sessions.admin.call(
        'GET',
        `/api/v1/tokens?limit=200&cursor=${page1.body.nextCursor}`,
      );
      const all = [...page1.body.items, ...page2.body.items].map((t: { id: string }) => t.id);
      assert.equal(new Set(all).size, adminList.body.items.length, 'the pages hold every token once');
    });
  });
});
