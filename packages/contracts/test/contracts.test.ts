import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Parser } from '@asyncapi/parser';
import { checkEvent, makeEvent, messages, rpcs, type Tenant, validate } from '../src/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const tenant: Tenant = {
  id: '6f1c1d36-59a4-4a51-9a43-7e1fb1f1c001',
  slug: 'acme',
  displayName: 'Acme',
  plan: 'starter',
  state: 'active',
  suspensionReasons: [],
  databaseName: 't_acme',
  databaseServerId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

test('the generated types, validators and AsyncAPI document match proto-schemas', async () => {
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'packages/contracts/scripts/generate.ts', '--check'],
    {
      cwd: root,
    },
  );
});

test('the AsyncAPI document is valid AsyncAPI 3 and names every subject of the catalog', async () => {
  const doc = await readFile(`${root}proto-schemas/asyncapi.json`, 'utf8');
  const { document, diagnostics } = await new Parser().parse(doc);
  const errors = diagnostics.filter((d) => d.severity === 0);
  assert.deepEqual(
    errors.map((e) => `${e.path.join('.')}: ${e.message}`),
    [],
  );
  assert.ok(document, 'the parser returned a document');
  const addresses = new Set(
    document
      .channels()
      .all()
      .map((c) => c.address()),
  );
  for (const def of [...Object.values(messages), ...Object.values(rpcs)]) {
    assert.ok(addresses.has(def.subject), `channel for ${def.subject}`);
  }
});

test('a well-formed event passes its schema and an event with a wrong field is refused with the path', () => {
  const ok = makeEvent('ocp.tenant.activated.v1', { tenant, operationId: tenant.id }, { source: 'test' });
  assert.equal(checkEvent(ok).ok, true);
  const bad = { ...ok, data: { ...ok.data, tenant: { ...tenant, state: 'sleeping' } } };
  const res = checkEvent(bad);
  assert.equal(res.ok, false);
  assert.match(JSON.stringify(!res.ok && res.issues), /\/data\/tenant\/state/);
  const extra = checkEvent({ ...ok, data: { ...ok.data, surprise: 1 } });
  assert.equal(extra.ok, false);
  assert.match(JSON.stringify(!extra.ok && extra.issues), /surprise.*not a known field/);
});

test('slugs outside the documented shape are refused by the create request schema', () => {
  for (const slug of ['a"; drop database x; --', '', 'x'.repeat(200), 'Acme', '1abc', 'ab-']) {
    const res = validate('rpc/tenant.create.v1.request', { slug, displayName: 'X', plan: 'starter' });
    assert.equal(res.ok, false, `slug ${JSON.stringify(slug)} must be refused`);
  }
  assert.equal(
    validate('rpc/tenant.create.v1.request', { slug: 'acme-2', displayName: 'X', plan: 'starter' }).ok,
    true,
  );
});
