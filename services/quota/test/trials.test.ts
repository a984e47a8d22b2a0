import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcError } from '@ocp/bus';
import type { BillingSubscription } from '@ocp/contracts';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import { pino } from 'pino';
import type { TrialsContext } from '../src/trials/context.ts';
import { putTrialEnd } from '../src/trials/put-trial.ts';
import { startPlanTrial } from '../src/trials/start-trial.ts';
import { trialOf } from '../src/trials/store.ts';
import { applySubscriptionChange } from '../src/trials/subscriptions.ts';
import { sweepTrials } from '../src/trials/sweep.ts';

const DAY = 86_400_000;
const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'warn' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
// The clock the trial code reads: each test moves it instead of waiting.
let clock = new Date('2026-12-01T12:00:00Z');
let ctx: TrialsContext;

before(async () => {
  db = await createTestDatabase('ocp_test_quota_trials_');
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  pool = createPool({ url: db.url, name: 'quota-trials-test', max: 8, logger });
  ctx = { pool, logger, noticeDays: [7, 3, 1], now: () => clock };
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

/** The events the quota service queued about a tenant, in order: `type` and `data`. */
async function outbox(tenantId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const { rows } = await pool.query<{ payload: { type: string; data: Record<string, unknown> } }>(
    "SELECT payload FROM ocp_outbox WHERE payload->>'subject' = $1 ORDER BY id",
    [tenantId],
  );
  return rows.map((r) => ({
    type: r.payload.type.replace(/^ocp\.quota\.|\.v1$/g, ''),
    data: r.payload.data,
  }));
}

function subscription(
  tenantId: string,
  status: BillingSubscription['status'],
  at: string,
): BillingSubscription {
  return {
    id: randomUUID(),
    provider: 'stripe',
    providerSubscriptionId: `sub_${tenantId.slice(0, 8)}`,
    customerId: `cus_${tenantId.slice(0, 8)}`,
    tenantId,
    plan: 'pro',
    priceId: 'price_pro',
    status,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    lastEventId: `evt_${at}`,
    lastEventType: 'customer.subscription.updated',
    lastEventAt: at,
    updatedAt: at,
  };
}

async function trialEndingIn(days: number): Promise<string> {
  const tenantId = randomUUID();
  await startPlanTrial(pool, tenantId, 14, new Date(clock.getTime() - (14 - days) * DAY));
  return tenantId;
}

describe('trials', () => {
  test('a plan with trialDays starts a trial once: a replayed creation does not restart it', async () => {
    const tenantId = randomUUID();
    assert.equal(await startPlanTrial(pool, tenantId, 14, clock), true);
    assert.equal(await startPlanTrial(pool, tenantId, 14, new Date(clock.getTime() + DAY)), false);
    assert.deepEqual(await trialOf(pool, tenantId), {
      startedAt: clock.toISOString(),
      endsAt: new Date(clock.getTime() + 14 * DAY).toISOString(),
      state: 'running',
    });
    assert.equal(await startPlanTrial(pool, randomUUID(), null, clock), false);
  });

  test('each notice goes out once, even with several replicas sweeping at the same moment', async () => {
    const tenantId = await trialEndingIn(6.5);
    await Promise.all([sweepTrials(ctx), sweepTrials(ctx), sweepTrials(ctx), sweepTrials(ctx)]);
    await sweepTrials(ctx);
    clock = new Date(clock.getTime() + 4 * DAY); // 2.5 days left: the 3-day notice
    await Promise.all([sweepTrials(ctx), sweepTrials(ctx), sweepTrials(ctx)]);
    clock = new Date(clock.getTime() + 2 * DAY); // half a day left: the 1-day notice
    await Promise.all([sweepTrials(ctx), sweepTrials(ctx)]);
    await sweepTrials(ctx);
    const endsAt = (await trialOf(pool, tenantId))?.endsAt;
    assert.deepEqual(await outbox(tenantId), [
      { type: 'trial_ending', data: { tenantId, endsAt, daysLeft: 7 } },
      { type: 'trial_ending', data: { tenantId, endsAt, daysLeft: 3 } },
      { type: 'trial_ending', data: { tenantId, endsAt, daysLeft: 1 } },
    ]);
  });

  test('the end without a paying subscription revokes access for `trial` once, then ends the trial', async () => {
    const tenantId = await trialEndingIn(0.5);
    await sweepTrials(ctx); // the 1-day notice
    clock = new Date(clock.getTime() + DAY);
    await Promise.all([sweepTrials(ctx), sweepTrials(ctx), sweepTrials(ctx)]);
    await sweepTrials(ctx);
    const events = await outbox(tenantId);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.access ?? e.data.outcome ?? e.data.daysLeft, e.data.reason]),
      [
        ['trial_ending', 1, undefined],
        ['tenant_access_changed', 'revoked', 'trial'],
        ['trial_ended', 'suspended', undefined],
      ],
    );
    assert.equal((await trialOf(pool, tenantId))?.state, 'ended');
  });

  test('the end with an active subscription is a conversion and nothing else', async () => {
    const tenantId = await trialEndingIn(0.5);
    await applySubscriptionChange(ctx, subscription(tenantId, 'active', '2026-11-01T00:00:00Z'));
    clock = new Date(clock.getTime() + DAY);
    await Promise.all([sweepTrials(ctx), sweepTrials(ctx)]);
    const events = (await outbox(tenantId)).filter((e) => e.type !== 'trial_ending');
    assert.deepEqual(events, [{ type: 'trial_ended', data: { tenantId, outcome: 'converted' } }]);
    assert.equal((await trialOf(pool, tenantId))?.state, 'converted');
  });

  test('a later active subscription grants access back; an older message does not undo it', async () => {
    const tenantId = await trialEndingIn(0.5);
    await applySubscriptionChange(ctx, subscription(tenantId, 'incomplete', '2026-11-01T00:00:00Z'));
    clock = new Date(clock.getTime() + DAY);
    await sweepTrials(ctx);
    await applySubscriptionChange(ctx, subscription(tenantId, 'active', '2026-11-02T00:00:00Z'));
    // Redelivered, and an older message arriving late: no second grant, no change.
    await applySubscriptionChange(ctx, subscription(tenantId, 'active', '2026-11-02T00:00:00Z'));
    await applySubscriptionChange(ctx, subscription(tenantId, 'incomplete', '2026-11-01T00:00:00Z'));
    const events = (await outbox(tenantId)).filter((e) => e.type === 'tenant_access_changed');
    assert.deepEqual(
      events.map((e) => [e.data.access, e.data.reason]),
      [
        ['revoked', 'trial'],
        ['granted', 'trial'],
      ],
    );
    const { rows } = await pool.query('SELECT status FROM tenant_subscriptions WHERE tenant_id = $1', [
      tenantId,
    ]);
    assert.deepEqual(rows, [{ status: 'active' }]);
  });

  test('an extension past now grants access back and runs the trial again; an end in the past is refused', async () => {
    const tenantId = await trialEndingIn(0.5);
    clock = new Date(clock.getTime() + DAY);
    await sweepTrials(ctx);
    await assert.rejects(
      putTrialEnd(ctx, tenantId, new Date(clock.getTime() - 1000).toISOString()),
      (e: unknown) => e instanceof RpcError && e.code === 'TRIAL_END_IN_PAST' && e.field === '/endsAt',
    );
    const endsAt = new Date(clock.getTime() + 10 * DAY).toISOString();
    await putTrialEnd(ctx, tenantId, endsAt);
    await putTrialEnd(ctx, tenantId, endsAt);
    assert.equal((await trialOf(pool, tenantId))?.state, 'running');
    const access = (await outbox(tenantId)).filter((e) => e.type === 'tenant_access_changed');
    assert.deepEqual(
      access.map((e) => [e.data.access, e.data.reason]),
      [
        ['revoked', 'trial'],
        ['granted', 'trial'],
      ],
    );
  });
});
