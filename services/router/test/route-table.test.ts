import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '@ocp/contracts';
import { waitFor } from '@ocp/testkit';
import { type RouteSource, routeTable } from '../src/domain/route-table.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const route = (state: Route['state']): Route => ({
  tenantId: A,
  slug: 'acme',
  state,
  database: 't_acme',
  hosts: ['acme.example.com'],
  upstream: null,
});

/**
 * The tenant service as the table sees it: `state` is what it would answer now; a read can be
 * held open by the test, as a slow reply.
 */
function source() {
  const s = {
    state: 'active' as Route['state'] | null,
    failFullReads: 0,
    fullReads: 0,
    hold: undefined as Promise<void> | undefined,
    api: undefined as unknown as RouteSource,
  };
  s.api = {
    async list() {
      s.fullReads++;
      if (s.failFullReads > 0) {
        s.failFullReads--;
        throw new Error('nobody answered');
      }
      return { routes: s.state ? [route(s.state)] : [] };
    },
    async get() {
      // The answer is what the service holds when the request arrives; the reply may come late.
      const answer = s.state ? route(s.state) : null;
      await s.hold;
      return answer;
    },
  };
  return s;
}

test('a tenant named again while its read is on the way is read again: the table ends on the latest answer', async (t) => {
  const src = source();
  const stop = new AbortController();
  let changes = 0;
  const table = routeTable({
    source: src.api,
    pageSize: 10,
    concurrency: 4,
    retryMs: 10,
    signal: stop.signal,
    onChange: () => changes++,
    onError: () => {},
  });
  const running = table.run();
  t.after(async () => {
    stop.abort();
    await running;
  });
  await waitFor('the first full read', async () => (table.loaded ? true : undefined));
  assert.equal(table.routes.get(A)?.state, 'active');

  let release!: () => void;
  src.hold = new Promise((r) => {
    release = r;
  });
  src.state = 'suspended';
  table.markTenant(A);
  // The suspension's read is held; meanwhile the tenant is resumed and named again.
  await new Promise((r) => setImmediate(r));
  src.state = 'active';
  table.markTenant(A);
  release();
  src.hold = undefined;
  await waitFor('the second read', async () =>
    table.routes.get(A)?.state === 'active' && changes >= 3 ? true : undefined,
  );
  src.state = null;
  table.markTenant(A);
  await waitFor('the tenant to go', async () => (table.routes.has(A) ? undefined : true));
});

test('a full read that fails is tried again, and the table is not loaded until one succeeds', async (t) => {
  const src = source();
  src.failFullReads = 2;
  const stop = new AbortController();
  const errors: string[] = [];
  const table = routeTable({
    source: src.api,
    pageSize: 10,
    concurrency: 4,
    retryMs: 10,
    signal: stop.signal,
    onChange: () => {},
    onError: (_e, what) => errors.push(what),
  });
  assert.equal(table.loaded, false);
  const running = table.run();
  t.after(async () => {
    stop.abort();
    await running;
  });
  await waitFor('the table to load', async () => (table.loaded ? true : undefined));
  assert.deepEqual(errors, ['snapshot', 'snapshot']);
  assert.equal(src.fullReads, 3);
  table.requestFullRead();
  await waitFor('another full read', async () => (src.fullReads === 4 ? true : undefined));
});
