import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidEventError } from '@ocp/contracts';
import { cleanups, tenantCreated } from '../../bus/test/helpers.ts';
import { enqueueEvent, withTransaction } from '../src/index.ts';
import { limit, migratedDatabase } from './helpers.ts';

test(
  'an event whose data does not match its schema is refused at the source, naming the type and the field, and its transaction writes nothing',
  limit,
  async (t) => {
    const db = await migratedDatabase(cleanups(t));
    const { subject, data } = tenantCreated();
    const { plan: _plan, ...withoutPlan } = data.tenant;

    const refused = await withTransaction(db.pool, async (c) => {
      await enqueueEvent(c, 'ocp.tenant.created.v1', { subject, data });
      await enqueueEvent(c, 'ocp.tenant.created.v1', {
        subject,
        data: { ...data, tenant: withoutPlan } as never,
      });
    }).then(
      () => assert.fail('the invalid event was accepted'),
      (e: unknown) => e,
    );

    assert.ok(refused instanceof InvalidEventError);
    assert.equal(refused.type, 'ocp.tenant.created.v1');
    assert.match(refused.message, /^ocp\.tenant\.created\.v1 .*\/data\/tenant\/plan is required/);
    const { rows } = await db.pool.query('SELECT event_id FROM ocp_outbox');
    assert.deepEqual(rows, [], 'neither the valid event before it nor the invalid one was written');
  },
);

test('an unknown field in the data is refused by its name', limit, async (t) => {
  const db = await migratedDatabase(cleanups(t));
  const { subject, data } = tenantCreated();

  await assert.rejects(
    enqueueEvent(db.pool, 'ocp.tenant.created.v1', { subject, data: { ...data, surprise: 1 } as never }),
    (e: unknown) => e instanceof InvalidEventError && /\/data\/surprise is not a known field/.test(e.message),
  );
  const { rows } = await db.pool.query('SELECT event_id FROM ocp_outbox');
  assert.deepEqual(rows, []);
});

test(
  'a valid event is written with its envelope built from the catalog and its trace context',
  limit,
  async (t) => {
    const db = await migratedDatabase(cleanups(t));
    const { subject, data } = tenantCreated();
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const time = new Date('2026-01-02T03:04:05.000Z');

    const event = await withTransaction(db.pool, (c) =>
      enqueueEvent(c, 'ocp.tenant.created.v1', { subject, data, id: 'fixed-id', time, traceparent }),
    );

    const { rows } = await db.pool.query<{
      event_id: string;
      subject: string;
      payload: unknown;
      headers: unknown;
    }>('SELECT event_id, subject, payload, headers FROM ocp_outbox');
    assert.deepEqual(rows, [
      {
        event_id: 'fixed-id',
        subject: 'events.tenant.created.v1',
        payload: {
          specversion: '1.0',
          id: 'fixed-id',
          type: 'ocp.tenant.created.v1',
          source: 'ocp/tenant',
          subject,
          time: '2026-01-02T03:04:05.000Z',
          datacontenttype: 'application/json',
          dataschema: 'https://ocp.local/schemas/events/tenant.created.v1.json',
          data,
        },
        headers: { traceparent },
      },
    ]);
    assert.deepEqual(event, rows[0]?.payload);
  },
);
