import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type BillingSubscription, makeEvent, messages } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login, type Session } from '../support/rbac.ts';
import { createTenant } from '../support/tenants.ts';

/** A tenant row as the test seeds it straight into the tenant service's database. */
interface Seed {
  id: string;
  slug: string;
  displayName: string;
  state: string;
  plan: string;
  createdAt: string;
  updatedAt: string;
  baseUrl: string | null;
  customer: string | null;
  companyName: string | null;
  runtimeId: string | null;
}

const RUNTIME = randomUUID();
const T = (n: number) => new Date(Date.UTC(2021, 2, 1, 10, 0, n)).toISOString();

/**
 * Ties on purpose: five tenants created at one millisecond, three names equal but for case, two
 * tenants of one slug (a deleted one and the live one that reused it), states shared by many.
 */
const seeds: Seed[] = [
  ['acme', 'Acme Corp', 'active', 'starter', 0, 5, 'https://acme.shop-one.test/web', 'cus_QX7ab', null],
  ['acme-eu', 'ACME corp', 'active', 'pro', 0, 5, null, null, null],
  ['acme-old', 'acme corp', 'suspended', 'starter', 0, 3, null, null, null],
  ['bolt', 'Bolt & Nut', 'active', 'starter', 0, 3, 'https://bolt.example-domain.test', null, null],
  ['bolt-2', 'Zeta', 'failed', 'pro', 0, 9, null, 'cus_ZZ9', null],
  ['cargo', 'cargo', 'active', 'starter', 1, 9, 'http://cargo.test:8069/', null, 'Hiddenco SA'],
  ['delta', 'Delta', 'deleted', 'starter', 2, 9, null, null, null],
  ['delta', 'Delta Two', 'active', 'pro', 3, 1, null, null, null],
  ['echo', 'echo', 'pending', 'starter', 4, 1, null, null, null],
  ['fox', 'Fox', 'active', 'starter', 4, 2, null, null, null],
  ['golf', 'Golf', 'active', 'enterprise', 5, 2, null, null, null],
  ['hotel', 'hotel', 'suspended', 'starter', 6, 2, null, null, null],
  ['india', 'India', 'active', 'starter', 7, 7, null, null, null],
].map(([slug, displayName, state, plan, c, u, baseUrl, customer, companyName], i) => ({
  id: randomUUID(),
  slug: slug as string,
  displayName: displayName as string,
  state: state as string,
  plan: plan as string,
  createdAt: T(c as number),
  updatedAt: T(100 + (u as number)),
  baseUrl: baseUrl as string | null,
  customer: customer as string | null,
  companyName: companyName as string | null,
  runtimeId: i % 3 === 0 ? RUNTIME : null,
}));

async function seedTenants(p: Platform, rows: Seed[]): Promise<void> {
  // A disabled runtime: the template builder leaves it alone.
  await adminQuery(
    `INSERT INTO odoo_runtimes (id, name, odoo_version, rpc_url, master_password_sealed, database_server_id,
       db_role, filestore_path, state)
     SELECT $1, 'seeded', '18.0', 'http://127.0.0.1:9', 'unused', id, 'odoo', '/nonexistent', 'disabled'
       FROM database_servers LIMIT 1`,
    [RUNTIME],
    p.databases.tenant,
  );
  for (const s of rows)
    await adminQuery(
      `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, created_at, updated_at,
         base_url, billing_customer_id, company_name, runtime_id, admin_login)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'hidden-admin')`,
      [
        s.id,
        s.slug,
        s.displayName,
        s.plan,
        s.state,
        `${p.prefix}seed_${s.slug.replaceAll('-', '_')}`,
        s.createdAt,
        s.updatedAt,
        s.baseUrl,
        s.customer,
        s.companyName,
        s.runtimeId,
      ],
      p.databases.tenant,
    );
}

type Item = {
  id: string;
  slug: string;
  displayName: string;
  state: string;
  createdAt: string;
  updatedAt: string;
};
const SORTS = [
  '-createdAt',
  'createdAt',
  'slug',
  '-slug',
  'displayName',
  '-displayName',
  '-updatedAt',
  'updatedAt',
  'state',
] as const;

/** The order a sort promises: its key, byte by byte, then the id, in one direction. */
function comparator(sort: (typeof SORTS)[number]) {
  const desc = sort.startsWith('-');
  const field = sort.replace('-', '') as 'createdAt' | 'updatedAt' | 'slug' | 'displayName' | 'state';
  const key = (i: Item) => (field === 'displayName' ? i.displayName.toLowerCase() : i[field]);
  return (a: Item, b: Item) => {
    const [x, y] = [key(a), key(b)];
    const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return desc ? -c : c;
  };
}

describe('tenant lists for a large fleet, counts, and the operations list', () => {
  let p: Platform;
  let owner: Session;

  /** Every page of a list, following nextCursor; the pages' items in the order given. */
  async function allPages(query: string, session?: Session): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const path: string = `/api/v1/tenants?${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const res: { status: number; body: { items: Item[]; nextCursor: string | null } } = session
        ? await session.call('GET', path)
        : await p.api.call('GET', path);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('the list does not end');
  }

  before(async () => {
    p = await startPlatform({ backup: true });
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    await seedTenants(p, seeds);
  });
  after(async () => {
    await p?.close();
  });

  test('every sort pages through every tenant exactly once and in order, ties included', async () => {
    for (const sort of SORTS) {
      const items = await allPages(`sort=${sort}&limit=3&includeDeleted=true`);
      const ids = items.map((i) => i.id);
      assert.equal(new Set(ids).size, ids.length, `${sort}: no tenant twice`);
      assert.deepEqual([...ids].sort(), seeds.map((s) => s.id).sort(), `${sort}: every tenant`);
      assert.deepEqual(
        ids,
        [...items].sort(comparator(sort)).map((i) => i.id),
        `${sort}: in order`,
      );
    }
    const byDefault = await allPages('limit=4');
    assert.deepEqual(
      byDefault.map((i) => i.id),
      [...byDefault].sort(comparator('-createdAt')).map((i) => i.id),
      'newest first by default',
    );
    assert.ok(!byDefault.some((i) => i.state === 'deleted'), 'deleted tenants are left out by default');
  });

  test('filters hold under every sort: state, plan, slug prefix, runtime', async () => {
    const cases: Array<[string, (s: Seed) => boolean]> = [
      ['state=active', (s) => s.state === 'active'],
      ['plan=pro', (s) => s.plan === 'pro' && s.state !== 'deleted'],
      ['slugPrefix=acme', (s) => s.slug.startsWith('acme')],
      [`runtimeId=${RUNTIME}`, (s) => s.runtimeId === RUNTIME && s.state !== 'deleted'],
      [
        'state=active&plan=starter&slugPrefix=a',
        (s) => s.state === 'active' && s.plan === 'starter' && s.slug.startsWith('a'),
      ],
    ];
    for (const [filter, keep] of cases) {
      for (const sort of SORTS) {
        const items = await allPages(`${filter}&sort=${sort}&limit=2`);
        assert.deepEqual(
          items.map((i) => i.id),
          [...items].sort(comparator(sort)).map((i) => i.id),
          `${filter} ${sort}: in order`,
        );
        assert.deepEqual(
          items.map((i) => i.id).sort(),
          seeds
            .filter(keep)
            .map((s) => s.id)
            .sort(),
          `${filter} ${sort}: exactly the matching tenants`,
        );
      }
    }
  });

  test('q finds text in the name, slug, domain and billing customer id, case-insensitively, and nowhere else; under three characters, the start of the slug or name', async () => {
    const search = async (q: string) =>
      (await allPages(`q=${encodeURIComponent(q)}&includeDeleted=true&limit=5`)).map((i) => i.slug).sort();
    assert.deepEqual(await search('ACME CORP'), ['acme', 'acme-eu', 'acme-old'], 'the name, any case');
    assert.deepEqual(await search('Acme-E'), ['acme-eu'], 'the slug');
    assert.deepEqual(await search('EXAMPLE-domain'), ['bolt'], 'the host of baseUrl');
    assert.deepEqual(await search('shop-one'), ['acme'], 'the host of baseUrl');
    assert.deepEqual(await search('cus_qx7'), ['acme'], 'the customer id');
    assert.deepEqual(await search('zz9'), ['bolt-2'], 'the customer id, any case');
    assert.deepEqual(await search('cus%qx7'), [], 'a % is a character, not a wildcard');
    assert.deepEqual(await search('cus_'), ['acme', 'bolt-2'], 'an _ is a character, not a wildcard');
    assert.deepEqual(await search('bolt & nut'), ['bolt']);
    // Under three characters there is no trigram: the start of the slug or of the name.
    assert.deepEqual(
      await search('AC'),
      ['acme', 'acme-eu', 'acme-old'],
      'a short text: a slug or name prefix',
    );
    assert.deepEqual(await search('ze'), ['bolt-2'], 'a short text: the start of the name');
    assert.deepEqual(await search('me'), [], 'a short text is not looked for inside words');
    assert.deepEqual(await search('cu'), [], 'a short text is not looked for in customer ids');
    assert.deepEqual(await search('_'), [], 'a short _ is a character, not a wildcard');
    assert.deepEqual(await search('hiddenco'), [], 'not the company name');
    assert.deepEqual(await search('hidden-admin'), [], "not the administrator's login");
    assert.deepEqual(await search('https'), [], 'the domain, not the whole address');
    assert.deepEqual(await search('/web'), [], 'the domain, not the path');
    assert.deepEqual(await search('8069'), [], 'the domain, not the port');
    assert.deepEqual(await search('enterprise'), [], 'not the plan');
    assert.deepEqual(await search('corp\u00a0acme'), []);
    assert.deepEqual(await search('corp acme'), [], 'never across two fields');
    const live = (await allPages('q=delta')).map((i) => i.displayName);
    assert.deepEqual(live, ['Delta Two'], 'deleted tenants are left out unless asked for');
    const paged = await allPages('q=a&sort=slug&limit=2');
    assert.deepEqual(
      paged.map((i) => i.id),
      [...paged].sort(comparator('slug')).map((i) => i.id),
    );

    for (const [q, why] of [
      ['', 'empty'],
      ['x'.repeat(101), 'too long'],
      ['a%0Ab', 'a control character'],
    ]) {
      const res = await p.api.call('GET', `/api/v1/tenants?q=${q}`);
      assert.equal(res.status, 400, why);
      assert.equal(res.body.field, 'querystring/q', why);
    }
  });

  test('a cursor is refused with another sort or other filters, and a forged one too', async () => {
    const first = await p.api.call('GET', '/api/v1/tenants?sort=slug&limit=2');
    const cursor = first.body.nextCursor as string;
    assert.ok(cursor);
    const again = await p.api.call('GET', `/api/v1/tenants?sort=slug&limit=2&cursor=${cursor}`);
    assert.equal(again.status, 200);
    for (const other of ['sort=-slug', 'sort=displayName', '', 'sort=slug&state=active', 'sort=slug&q=a']) {
      const res = await p.api.call('GET', `/api/v1/tenants?${other}&limit=2&cursor=${cursor}`);
      assert.equal(res.status, 400, `${other}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.field, 'querystring/cursor');
      assert.match(res.body.detail, /cursor was made for/);
    }
    const forged = Buffer.from(JSON.stringify({ s: 'slug', f: 'x', k: 'a', id: 'nope' })).toString(
      'base64url',
    );
    const bad = await p.api.call('GET', `/api/v1/tenants?sort=slug&cursor=${forged}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'querystring/cursor');
    const badSort = await p.api.call('GET', '/api/v1/tenants?sort=plan');
    assert.equal(badSort.status, 400);
    assert.equal(badSort.body.field, 'querystring/sort');
  });

  test('id lists exactly those tenants, deleted ones included, one or many, across pages', async () => {
    const bySlug = (slug: string, state?: string) =>
      seeds.find((s) => s.slug === slug && (!state || s.state === state))!;
    const wanted = [bySlug('acme'), bySlug('delta', 'deleted'), bySlug('fox'), bySlug('hotel')];
    const unknown = randomUUID();
    const query = [...wanted.map((s) => s.id), unknown].map((id) => `id=${id}`).join('&');
    const all = await allPages(`${query}&limit=100`);
    assert.deepEqual(
      all.map((i) => i.id).sort(),
      wanted.map((s) => s.id).sort(),
      'every tenant asked for, the deleted one too; an unknown id is absent',
    );
    const paged = await allPages(`${query}&sort=slug&limit=1`);
    assert.deepEqual(
      paged.map((i) => i.slug),
      ['acme', 'delta', 'fox', 'hotel'],
      'paged in the order asked',
    );
    const one = await allPages(`id=${bySlug('delta', 'deleted').id}`);
    assert.deepEqual(
      one.map((i) => [i.slug, i.state]),
      [['delta', 'deleted']],
      'a single id is a list of one',
    );
    const active = await allPages(`${query}&state=active`);
    assert.deepEqual(active.map((i) => i.slug).sort(), ['acme', 'fox'], 'other filters still apply');

    const first = await p.api.call('GET', `/api/v1/tenants?${query}&sort=slug&limit=1`);
    assert.ok(first.body.nextCursor);
    const other = await p.api.call(
      'GET',
      `/api/v1/tenants?id=${wanted[0]!.id}&sort=slug&limit=1&cursor=${first.body.nextCursor}`,
    );
    assert.equal(other.status, 400, 'a cursor keeps to its ids');
    assert.equal(other.body.field, 'querystring/cursor');
  });

  test('id within a limited account: the intersection with its tenants, never wider', async () => {
    const mine = seeds.filter((s) => ['acme', 'hotel', 'bolt-2'].includes(s.slug));
    const scoped = await invite(
      owner,
      'ids-viewer@example.com',
      'viewer',
      mine.map((s) => s.id),
    );
    const outside = seeds.filter((s) => ['fox', 'delta'].includes(s.slug));
    const query = [mine[0]!, mine[1]!, ...outside].map((s) => `id=${s.id}`).join('&');
    const listed = await allPages(`${query}&sort=slug`, scoped);
    assert.deepEqual(
      listed.map((i) => i.slug),
      ['acme', 'bolt-2'],
      'the tenants outside the scope are absent, not an error',
    );
    const none = await allPages(outside.map((s) => `id=${s.id}`).join('&'), scoped);
    assert.deepEqual(none, [], 'only tenants outside the scope: an empty list');
  });

  test('id takes 1 to 100 uuids; more, or one that is not a uuid, is a 400 naming the field', async () => {
    const many = Array.from({ length: 101 }, () => `id=${randomUUID()}`).join('&');
    const tooMany = await p.api.call('GET', `/api/v1/tenants?${many}`);
    assert.equal(tooMany.status, 400, JSON.stringify(tooMany.body));
    assert.equal(tooMany.body.code, 'VALIDATION_FAILED');
    assert.equal(tooMany.body.field, 'querystring/id');
    const hundred = Array.from({ length: 100 }, () => `id=${randomUUID()}`).join('&');
    const atMost = await p.api.call('GET', `/api/v1/tenants?${hundred}&limit=100`);
    assert.equal(atMost.status, 200, JSON.stringify(atMost.body));
    assert.deepEqual(atMost.body.items, []);

    for (const [query, field] of [
      [`id=${seeds[0]!.id}&id=acme`, 'querystring/id/1'],
      ['id=not-a-uuid', 'querystring/id/0'],
      ['id=', 'querystring/id/0'],
    ] as const) {
      const res = await p.api.call('GET', `/api/v1/tenants?${query}`);
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.field, field, query);
      assert.match(res.body.detail, /uuid/, query);
    }
  });

  test('the billing customer id comes from billing.subscription_changed, once per event', async () => {
    const target = seeds.find((s) => s.slug === 'fox')!;
    const billing = await p.busAs('billing');
    const subscription = (customerId: string): BillingSubscription => ({
      id: randomUUID(),
      provider: 'stripe',
      providerSubscriptionId: 'sub_123',
      customerId,
      tenantId: target.id,
      plan: 'starter',
      priceId: 'price_1',
      status: 'active',
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      lastEventId: 'evt_1',
      lastEventType: 'customer.subscription.updated',
      lastEventAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const source = { source: 'ocp/billing', subject: target.id };
    const first = makeEvent(
      'ocp.billing.subscription_changed.v1',
      { subscription: subscription('cus_First1') },
      source,
    );
    const second = makeEvent(
      'ocp.billing.subscription_changed.v1',
      { subscription: subscription('cus_Second2') },
      source,
    );
    const subject = messages['ocp.billing.subscription_changed.v1'].subject;
    const bytes = (e: unknown) => new TextEncoder().encode(JSON.stringify(e));
    await billing.publish(first);
    await waitFor('the first customer id', async () => {
      const t = await p.api.call('GET', `/api/v1/tenants/${target.id}`);
      return t.body.billingCustomerId === 'cus_First1' ? true : undefined;
    });
    await billing.publish(second);
    // The first event again, under another message id so that JetStream keeps it: the inbox drops it.
    await billing.publishRaw(subject, bytes(first), `${first.id}:again`);
    const marker = makeEvent(
      'ocp.billing.subscription_changed.v1',
      { subscription: { ...subscription('cus_Other'), tenantId: seeds[12]!.id } },
      source,
    );
    await billing.publish(marker);
    await waitFor('the events after it', async () => {
      const t = await p.api.call('GET', `/api/v1/tenants/${seeds[12]!.id}`);
      return t.body.billingCustomerId === 'cus_Other' ? true : undefined;
    });
    const t = await p.api.call('GET', `/api/v1/tenants/${target.id}`);
    assert.equal(t.body.billingCustomerId, 'cus_Second2', 'the replayed first event changed nothing');
    assert.deepEqual(
      (await allPages('q=SECOND2')).map((i) => i.id),
      [target.id],
      'and the search finds it',
    );
  });

  test('stats count tenants by state; an account limited to some tenants counts only those', async () => {
    const res = await p.api.call('GET', '/api/v1/tenants/stats');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const expected: Record<string, number> = {
      pending: 0,
      provisioning: 0,
      active: 0,
      suspended: 0,
      failed: 0,
      restoring: 0,
      migrating: 0,
      deleting: 0,
      deleted: 0,
    };
    for (const s of seeds) expected[s.state]! += 1;
    assert.deepEqual(res.body, { byState: expected, total: seeds.length });

    const mine = seeds.filter((s) => ['acme', 'hotel', 'bolt-2'].includes(s.slug));
    const scoped = await invite(
      owner,
      'stats-viewer@example.com',
      'viewer',
      mine.map((s) => s.id),
    );
    const limited = await scoped.call('GET', '/api/v1/tenants/stats');
    assert.equal(limited.status, 200);
    assert.equal(limited.body.total, 3);
    assert.equal(limited.body.byState.active, 1);
    assert.equal(limited.body.byState.suspended, 1);
    assert.equal(limited.body.byState.failed, 1);
    const listed = await allPages('sort=slug&limit=2', scoped);
    assert.deepEqual(
      listed.map((i) => i.slug),
      ['acme', 'bolt-2', 'hotel'],
      'the list shows the same tenants',
    );
  });

  describe('operations', () => {
    /** Tenant and backup operations of two seeded tenants, interleaved, some at the same millisecond. */
    const [a, b] = [seeds[0]!, seeds[3]!];
    const ops: Array<{
      id: string;
      source: 'tenant' | 'backup';
      tenantId: string;
      kind: string;
      state: string;
      createdAt: string;
    }> = [];
    const at = (ms: number) => new Date(Date.UTC(2022, 0, 1) + ms).toISOString();

    before(async () => {
      const plan: Array<['tenant' | 'backup', string, string, number]> = [
        ['tenant', 'tenant.provision', 'succeeded', 0],
        ['backup', 'backup.run', 'succeeded', 5],
        ['tenant', 'tenant.suspend', 'failed', 5],
        ['backup', 'backup.run', 'failed', 5],
        ['tenant', 'tenant.resume', 'succeeded', 7],
        ['backup', 'backup.drill', 'succeeded', 9],
        ['backup', 'backup.restore', 'failed', 9],
        ['tenant', 'tenant.rename', 'succeeded', 12],
        ['tenant', 'tenant.module_install', 'failed', 12],
        ['backup', 'backup.run', 'succeeded', 20],
      ];
      for (const [i, [source, kind, state, ms]] of plan.entries()) {
        const op = {
          id: randomUUID(),
          source,
          tenantId: i % 2 ? b.id : a.id,
          kind,
          state,
          createdAt: at(ms),
        };
        ops.push(op);
        await adminQuery(
          'INSERT INTO operations (id, kind, tenant_id, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
          [op.id, kind, op.tenantId, state, op.createdAt],
          source === 'tenant' ? p.databases.tenant : p.databases.backup,
        );
      }
    });

    const newestFirst = (x: { createdAt: string; id: string }, y: { createdAt: string; id: string }) =>
      x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1;

    type Op = { id: string; kind: string; state: string; createdAt: string };
    async function allOperations(query: string, session?: Session): Promise<Op[]> {
      const items: Op[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 100; n++) {
        const path: string = `/api/v1/operations?${query}${cursor ? `&cursor=${cursor}` : ''}`;
        const res: { status: number; body: { items: Op[]; nextCursor: string | null; missing?: string[] } } =
          session ? await session.call('GET', path) : await p.api.call('GET', path);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.missing, undefined, 'every source answered');
        items.push(...res.body.items);
        cursor = res.body.nextCursor;
        if (!cursor) return items;
      }
      throw new Error('the list does not end');
    }

    test('the list merges tenant and backup operations newest first, each once, across pages', async () => {
      for (const limit of [1, 2, 3, 50]) {
        const items = await allOperations(`limit=${limit}`);
        const expected = [...ops].sort(newestFirst).map((o) => o.id);
        assert.deepEqual(
          items.map((i) => i.id),
          expected,
          `limit ${limit}`,
        );
      }
      const first = await p.api.call('GET', '/api/v1/operations?limit=4');
      assert.equal(first.body.items.length, 4);
      assert.ok(first.body.nextCursor);
    });

    test('filters: state, kind, tenant; a cursor keeps to its filters', async () => {
      const failed = await allOperations('state=failed&limit=2');
      assert.deepEqual(
        failed.map((i) => i.id),
        ops
          .filter((o) => o.state === 'failed')
          .sort(newestFirst)
          .map((o) => o.id),
      );
      const runs = await allOperations('kind=backup.run&limit=2');
      assert.deepEqual(
        runs.map((i) => i.id),
        ops
          .filter((o) => o.kind === 'backup.run')
          .sort(newestFirst)
          .map((o) => o.id),
      );
      const ofB = await allOperations(`tenantId=${b.id}&limit=2`);
      assert.deepEqual(
        ofB.map((i) => i.id),
        ops
          .filter((o) => o.tenantId === b.id)
          .sort(newestFirst)
          .map((o) => o.id),
      );
      const page = await p.api.call('GET', '/api/v1/operations?state=failed&limit=1');
      const other = await p.api.call('GET', `/api/v1/operations?limit=1&cursor=${page.body.nextCursor}`);
      assert.equal(other.status, 400);
      assert.equal(other.body.field, 'querystring/cursor');
      const badState = await p.api.call('GET', '/api/v1/operations?state=done');
      assert.equal(badState.status, 400);
      assert.equal(badState.body.field, 'querystring/state');
    });

    test("an account limited to some tenants sees only their operations, and is refused another's", async () => {
      const scoped = await invite(owner, 'ops-viewer@example.com', 'viewer', [a.id]);
      const mine = await allOperations('limit=3', scoped);
      assert.deepEqual(
        mine.map((i) => i.id),
        ops
          .filter((o) => o.tenantId === a.id)
          .sort(newestFirst)
          .map((o) => o.id),
      );
      const other = await scoped.call('GET', `/api/v1/operations?tenantId=${b.id}`);
      assert.equal(other.status, 403);
      assert.equal(other.body.permission, 'operations:read');
    });

    test("a tenant's real provisioning and backup show in its list, newest first", async () => {
      // Placement looks for a ready runtime once any is registered: the seeded one goes.
      await adminQuery(
        'UPDATE tenants SET runtime_id = NULL WHERE runtime_id = $1',
        [RUNTIME],
        p.databases.tenant,
      );
      await adminQuery('DELETE FROM odoo_runtimes WHERE id = $1', [RUNTIME], p.databases.tenant);
      const t = await createTenant(p, 'listed');
      const backup = await p.api.call('POST', `/api/v1/tenants/${t.id}/backups`, {});
      assert.equal(backup.status, 202, JSON.stringify(backup.body));
      await p.api.waitOperation(backup.body.operation.id, 60_000);
      const items = await allOperations(`tenantId=${t.id}`);
      assert.deepEqual(
        items.map((i) => i.kind),
        ['backup.run', 'tenant.provision'],
      );
      assert.ok(items.every((i) => i.state === 'succeeded'));
    });

    test('without the backup service the tenant operations are answered, and the answer says what is missing', async () => {
      await p.backup?.close();
      p.backup = undefined;
      const res = await p.api.call('GET', `/api/v1/operations?tenantId=${a.id}&limit=50`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.missing, ['backup']);
      assert.deepEqual(
        res.body.items.map((i: { id: string }) => i.id),
        ops
          .filter((o) => o.tenantId === a.id && o.source === 'tenant')
          .sort(newestFirst)
          .map((o) => o.id),
      );
      const tenantOnly = await p.api.call('GET', '/api/v1/operations?kind=tenant.provision');
      assert.equal(tenantOnly.status, 200);
      assert.equal(tenantOnly.body.missing, undefined, 'a tenant kind does not ask the backup service');
    });
  });
});
