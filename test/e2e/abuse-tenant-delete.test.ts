import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminQuery } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';

describe('one pending delete per tenant', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  test('eight concurrent DELETEs of one tenant make one delete operation, and every answer names it', async () => {
    const made = await p.api.call('POST', '/api/v1/tenants', {
      slug: 'delete-once',
      displayName: 'Delete once',
    });
    assert.equal(made.status, 202, JSON.stringify(made.body));
    assert.equal((await p.api.waitOperation(made.body.operation.id)).state, 'succeeded');
    const id: string = made.body.tenant.id;

    const answers = await Promise.all(
      Array.from({ length: 8 }, () => p.api.call('DELETE', `/api/v1/tenants/${id}`)),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(8).fill(202),
      JSON.stringify(answers.map((a) => a.body)),
    );
    const { rows } = await adminQuery<{ id: string }>(
      "SELECT id FROM operations WHERE tenant_id = $1 AND kind = 'tenant.delete'",
      [id],
      p.tenantEnv.DATABASE_URL,
    );
    assert.equal(rows.length, 1, `delete operations made: ${rows.length}`);
    const opId = rows[0]!.id;
    for (const a of answers) {
      assert.equal(a.body.operation.id, opId);
      assert.equal(a.headers.get('location'), `/api/v1/operations/${opId}`);
    }
    assert.equal((await p.api.waitOperation(opId)).state, 'succeeded');
    // Once it has ended, the tenant is gone: a later DELETE is a 404, not a second operation.
    assert.equal((await p.api.call('DELETE', `/api/v1/tenants/${id}`)).status, 404);
  });
});
