import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PlanLimits } from '@ocp/contracts';
import { createPool, migrate, type Pool, withTransaction } from '@ocp/db';
import { createLogger } from '@ocp/service-kit';
import { createTestDatabase } from '@ocp/testkit';
import { enforcementOf, insertSample } from '../src/db/tenants.ts';
import { createEnforcer, type TenantTerms } from '../src/enforce/index.ts';

const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = createLogger('quota-enforce-test', 'warn');

const limits = (activeUsers: number | null): PlanLimits => ({
  activeUsers,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
});
const sample = (tenantId: string, activeUsers: number | null) => ({
  tenantId,
  measuredAt: new Date().toISOString(),
  activeUsers,
  databaseBytes: 1000,
  filestoreBytes: 10,
  backupBytes: null,
  backupGenerations: null,
});

describe('judging usage samples in the quota database', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: Pool;
  let now = new Date('2026-06-01T00:00:00Z');
  const terms = new Map<string, TenantTerms>();
  const enforcer = () => {
    const e = createEnforcer({
      pool,
      logger,
      warningPercent: 80,
      termsOf: async (_c, id) => terms.get(id),
      now: () => now,
    });
    // As the measurement does: the sample and its judgement in one transaction.
    const measured = (s: ReturnType<typeof sample>) =>
      withTransaction(pool, async (c) => {
        await insertSample(c, s);
        await e.afterSample(s, c);
      });
    return { ...e, afterSample: measured };
  };

  /** The events queued in the outbox for a tenant, as `type:detail` in order. */
  async function queued(tenantId: string): Promise<string[]> {
    const { rows } = await pool.query<{ payload: { type: string; data: Record<string, unknown> } }>(
      `SELECT payload FROM ocp_outbox WHERE payload->>'subject' = $1 ORDER BY id`,
      [tenantId],
    );
    return rows.map(({ payload: { type, data } }) => {
      const t = type.replace(/^ocp\.quota\.|\.v1$/g, '');
      if ('metric' in data) return `${t}:${data.metric}:${data.usage}`;
      if ('installsBlocked' in data) return `${t}:${data.installsBlocked}`;
      return `${t}:${data.access}:${data.reason}`;
    });
  }

  before(async () => {
    db = await createTestDatabase('ocp_quota_enforce_');
    await migrate({ databaseUrl: db.url, dir: migrations, logger });
    pool = createPool({ url: db.url, name: 'quota-enforce-test', max: 4, logger });
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  test('a block plan: warning and exceeded once each across repeated scans, lifted when back under', async () => {
    const id = '0b7a7f9e-4d1c-4c1e-8d0a-2b7f0e6a1c01';
    terms.set(id, {
      plan: 'five',
      planLimits: limits(5),
      override: null,
      atLimit: { action: 'block', graceSeconds: 0 },
    });
    const e = enforcer();
    for (const n of [1, 4, 4, 5, 6, 6, 7, 3, 3]) await e.afterSample(sample(id, n));
    assert.deepEqual(await queued(id), [
      'warning:activeUsers:4',
      'exceeded:activeUsers:6',
      'enforcement_changed:true',
      'back_under:activeUsers:3',
      'enforcement_changed:false',
    ]);
    assert.equal((await enforcementOf(pool, id)).installsBlocked, false);
  });

  test('an unmeasured figure changes nothing; a raised limit lifts the block from the last figures', async () => {
    const id = '0b7a7f9e-4d1c-4c1e-8d0a-2b7f0e6a1c02';
    terms.set(id, {
      plan: 'two',
      planLimits: limits(2),
      override: null,
      atLimit: { action: 'block', graceSeconds: 0 },
    });
    const e = enforcer();
    await e.afterSample(sample(id, 3));
    await e.afterSample(sample(id, null));
    assert.deepEqual(await queued(id), ['exceeded:activeUsers:3', 'enforcement_changed:true']);
    terms.set(id, { ...terms.get(id)!, override: { activeUsers: 10 } });
    await e.reevaluateTenant(id);
    assert.deepEqual((await queued(id)).slice(2), ['back_under:activeUsers:3', 'enforcement_changed:false']);
  });

  test('a suspend plan revokes access once after its grace period, even without a new sample, and grants it back', async () => {
    const id = '0b7a7f9e-4d1c-4c1e-8d0a-2b7f0e6a1c03';
    terms.set(id, {
      plan: 'strict',
      planLimits: limits(2),
      override: null,
      atLimit: { action: 'suspend', graceSeconds: 60 },
    });
    const e = enforcer();
    await e.afterSample(sample(id, 3));
    assert.equal((await enforcementOf(pool, id)).graceEndsAt, '2026-06-01T00:01:00.000Z');
    assert.equal(await e.revokeAfterGrace(), 0, 'the grace period has not run out');
    now = new Date('2026-06-01T00:01:00Z');
    assert.equal(await e.revokeAfterGrace(), 1);
    assert.equal(await e.revokeAfterGrace(), 0, 'revoked once');
    await e.afterSample(sample(id, 3));
    await e.afterSample(sample(id, 1));
    assert.deepEqual(await queued(id), [
      'exceeded:activeUsers:3',
      'enforcement_changed:true',
      'tenant_access_changed:revoked:quota',
      'back_under:activeUsers:1',
      'enforcement_changed:false',
      'tenant_access_changed:granted:quota',
    ]);
  });
});
