import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login, type Session } from '../support/rbac.ts';
import { createTenant } from '../support/tenants.ts';

const limit = { timeout: 300_000 };
const HOUR = 3_600_000;

interface Overdue {
  tenantId: string;
  slug: string;
  state: string;
  lastBackupAt: string | null;
  dueAt: string;
  lateSeconds: number;
}

describe('backups older than their schedule allows', limit, () => {
  let p: Platform;
  let owner: Session;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  const t: Record<'neverBackedUp' | 'withinGrace' | 'recent' | 'stale' | 'deleted', any> = {} as never;

  /** A query of the backup service's own database, as its owner would run it by hand. */
  const backupDb = (sql: string, values: unknown[] = []) => adminQuery(sql, values, p.databases.backup!);

  /** Once the backup service's projection has the tenant in `state`. */
  const projected = (tenantId: string, state: string) =>
    waitFor(`tenant ${tenantId} ${state} in the backup service`, async () => {
      const { rows } = await backupDb('SELECT state FROM known_tenants WHERE tenant_id = $1', [tenantId]);
      return rows[0]?.state === state ? true : undefined;
    });

  /** As if the schedule had taken the tenant on `hours` ago. */
  const takenOnAgo = (tenantId: string, hours: number) =>
    backupDb(
      `UPDATE known_tenants SET schedule_since = now() - make_interval(hours => $2) WHERE tenant_id = $1`,
      [tenantId, hours],
    );

  async function backUp(tenantId: string): Promise<void> {
    const res = await p.api.call('POST', `/api/v1/tenants/${tenantId}/backups`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal((await p.api.waitOperation(res.body.operation.id)).state, 'succeeded');
  }

  /** Every page of the list as `s` sees it, `pageSize` at a time. */
  async function overdue(s: Session, pageSize = 50): Promise<Overdue[]> {
    const out: Overdue[] = [];
    let cursor: string | null = null;
    do {
      const res = await s.call(
        'GET',
        `/api/v1/backups/overdue?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.graceMinutes, 120);
      out.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  before(async () => {
    p = await startPlatform({ backup: true, backupEnv: { BACKUP_OVERDUE_GRACE_MINUTES: '120' } });
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    for (const key of Object.keys({ neverBackedUp: 0, withinGrace: 0, recent: 0, stale: 0, deleted: 0 }))
      t[key as keyof typeof t] = await createTenant(p, `od-${key.toLowerCase()}`);
    for (const tenant of Object.values(t)) await projected(tenant.id, 'active');
    const { rows } = await backupDb(
      `SELECT count(*)::int AS n FROM known_tenants WHERE schedule_since > now() - interval '10 minutes'`,
    );
    assert.equal(rows[0]!.n, 5, 'the schedule took each tenant on when it became active');

    // Taken on 30 hours ago and never backed up: overdue since 6 hours ago, 4 past the grace.
    await takenOnAgo(t.neverBackedUp.id, 30);
    // Taken on 25 hours ago: due an hour ago, still within the two hours of grace.
    await takenOnAgo(t.withinGrace.id, 25);
    // Taken on long ago, backed up just now.
    await takenOnAgo(t.recent.id, 30);
    await backUp(t.recent.id);
    // Backed up, but that backup was 27 hours ago: due 3 hours ago.
    await takenOnAgo(t.stale.id, 60);
    await backUp(t.stale.id);
    await backupDb(`UPDATE backups SET created_at = now() - interval '27 hours' WHERE tenant_id = $1`, [
      t.stale.id,
    ]);
    // Never backed up and taken on long ago, then deleted: the schedule is done with it.
    await takenOnAgo(t.deleted.id, 30);
    const del = await p.api.call('DELETE', `/api/v1/tenants/${t.deleted.id}`);
    assert.equal(del.status, 202, JSON.stringify(del.body));
    await p.api.waitOperation(del.body.operation.id);
    await projected(t.deleted.id, 'deleted');
  });
  after(async () => p?.close());

  test('a tenant never backed up since long enough, and one whose last backup is too old, are overdue; recent, within the grace or deleted ones are not', async () => {
    const items = await overdue(owner);
    assert.deepEqual(
      items.map((i) => i.tenantId),
      [t.neverBackedUp.id, t.stale.id].sort(),
      'by tenant id',
    );
    const never = items.find((i) => i.tenantId === t.neverBackedUp.id)!;
    assert.equal(never.lastBackupAt, null);
    assert.equal(never.slug, 'od-neverbackedup');
    assert.equal(never.state, 'active');
    const stale = items.find((i) => i.tenantId === t.stale.id)!;
    assert.ok(stale.lastBackupAt);
    assert.equal(Date.parse(stale.dueAt) - Date.parse(stale.lastBackupAt), 24 * HOUR, 'due a day after it');
    // Minutes of slack for the time the test takes, not for the rule.
    for (const [item, hours] of [
      [never, 6],
      [stale, 3],
    ] as const) {
      assert.ok(Math.abs(item.lateSeconds - hours * 3600) < 600, `${item.slug}: ${item.lateSeconds}s late`);
      assert.ok(Math.abs(Date.parse(item.dueAt) + item.lateSeconds * 1000 - Date.now()) < 600_000);
    }
  });

  test('pages of one go through the same tenants once, after each cursor', async () => {
    // lateSeconds is counted at each request: two requests may fall on either side of a second.
    const steady = (items: Overdue[]) => items.map(({ lateSeconds: _, ...rest }) => rest);
    const all = await overdue(owner);
    const paged = await overdue(owner, 1);
    assert.deepEqual(steady(paged), steady(all));
    for (const [i, item] of paged.entries())
      assert.ok(Math.abs(item.lateSeconds - (all[i]?.lateSeconds ?? Number.NaN)) <= 5, 'late by the same');
    const bad = await owner.call('GET', '/api/v1/backups/overdue?cursor=bm90LWEtY3Vyc29y');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.field, 'querystring/cursor');
    assert.equal((await owner.call('GET', '/api/v1/backups/overdue?limit=201')).status, 400);
  });

  test('an account limited to tenants sees only its own overdue tenants', async () => {
    const mine = await invite(owner, 'overdue-scoped@example.com', 'operator', [
      t.neverBackedUp.id,
      t.recent.id,
    ]);
    assert.deepEqual(
      (await overdue(mine)).map((i) => i.tenantId),
      [t.neverBackedUp.id],
    );
    const none = await invite(owner, 'overdue-none@example.com', 'viewer', [t.recent.id]);
    assert.deepEqual(await overdue(none), []);
    const viewer = await invite(owner, 'overdue-viewer@example.com', 'viewer');
    assert.equal((await overdue(viewer)).length, 2, 'an unlimited viewer sees them all');
    const billing = await invite(owner, 'overdue-billing@example.com', 'billing');
    const refused = await billing.call('GET', '/api/v1/backups/overdue');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.permission, 'backups:read');
  });
});
