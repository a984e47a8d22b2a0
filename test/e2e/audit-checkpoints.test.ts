import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { type CloudEvent, makeEvent, messages, streams } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 120_000 };
const STREAM = streams.auditCheckpoints.name;
const SUBJECT = messages['ocp.audit.checkpoint.v1'].subject;

interface Head {
  seq: number;
  hash: string;
}

describe('audit checkpoints anchor the log outside its database', () => {
  let p: Platform;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  /** As the PostgreSQL superuser of the audit database. */
  let sql: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

  before(async () => {
    p = await startPlatform();
    // The NATS admin: it inspects the stream, forges a checkpoint and tries to purge.
    nc = await p.connectNats('admin');
    jsm = await jetstreamManager(nc);
    sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      (await adminQuery<R>(text, values, p.databases.audit)).rows;
  });
  after(async () => {
    await nc?.close();
    await p?.close();
  });

  const head = async (): Promise<Head> => {
    const [row] = await sql<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head');
    return { seq: Number(row!.seq), hash: row!.hash };
  };
  const latest = async () => {
    const m = await jsm.streams.getMessage(STREAM, { last_by_subj: SUBJECT });
    return m ? { n: m.seq, ...m.json<CloudEvent<'ocp.audit.checkpoint.v1'>>().data } : null;
  };
  /** The last verify request is in the log, and the last checkpoint signs the head. */
  const settled = async (afterSeq: number) =>
    await waitFor('the verify entry in the log and a checkpoint of the head', async () => {
      const [v] = await sql<{ seq: string | null }>(
        "SELECT max(seq) AS seq FROM audit_entries WHERE action = 'audit.verify'",
      );
      if (Number(v?.seq ?? 0) <= afterSeq) return undefined;
      const h = await head();
      const cp = await latest();
      return cp && cp.seq === h.seq && cp.hash === h.hash ? { head: h, cp } : undefined;
    });
  const verify = async () => {
    const res = await p.api.call('POST', '/api/v1/audit/verify', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const refusedRuns = async () => {
    const text = await (await fetch(`${p.audit!.url}/metrics`)).text();
    return Number(/ocp_audit_checkpoint_runs_total\{result="refused"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  test(
    'entries removed from the end of the log, with its head moved back, are reported missing against the last checkpoint',
    limit,
    async () => {
      // Entries made through the API: every write is audited, a refused one too.
      for (let i = 0; i < 6; i++)
        assert.equal((await p.api.call('POST', '/api/v1/tenants', { slug: 'No Slug' })).status, 400);
      const first = await verify();
      assert.equal(first.ok, true, JSON.stringify(first));
      assert.ok(['matches', 'no_checkpoint'].includes(first.checkpoint.outcome), JSON.stringify(first));

      const { head: signed, cp } = await settled(0);
      assert.ok(signed.seq >= 8, `at least the login, 6 writes and a verify: ${signed.seq}`);
      const whole = await verify();
      assert.equal(whole.ok, true, JSON.stringify(whole));
      assert.equal(whole.checkpoint.outcome, 'matches');
      assert.equal(whole.checkpoint.seq, signed.seq);
      assert.equal(whole.checkpoint.checkpointSeq, cp.n);
      const { head: before, cp: last } = await settled(signed.seq);

      // As an attacker with the database's superuser: past the append-only trigger, the tail of
      // the log goes and its head moves back to the entry before, so the chain itself still holds.
      const keep = before.seq - 4;
      const client = new pg.Client({ connectionString: p.databases.audit });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query('DELETE FROM audit_entries WHERE seq > $1', [keep]);
        await client.query(
          'UPDATE audit_head SET seq = $1, hash = (SELECT hash FROM audit_entries WHERE seq = $1)',
          [keep],
        );
        await client.query('COMMIT');
      } finally {
        await client.end();
      }

      const cut = await verify();
      assert.equal(cut.ok, false, JSON.stringify(cut));
      assert.equal(cut.firstBroken, undefined, 'the chain itself holds: only the checkpoint shows the cut');
      assert.equal(cut.checkpoint.outcome, 'truncated');
      assert.deepEqual(cut.checkpoint.missing, { fromSeq: keep + 1, toSeq: before.seq });
      assert.equal(cut.checkpoint.checkpointSeq, last.n);
      assert.equal(cut.checkpoint.signedAt, last.signedAt);
      assert.equal(
        cut.checkpoint.detail,
        `entries ${keep + 1}..${before.seq} are missing: checkpoint #${last.n} signed at ${last.signedAt} says the head was ${before.seq} with hash ${before.hash}, and the log now ends at ${keep}`,
      );

      // The service does not sign over the cut: the last checkpoint stays the one that shows it.
      const refused = await refusedRuns();
      await p.api.call('POST', '/api/v1/tenants', { slug: 'No Slug' });
      await waitFor('a refused checkpoint run', async () =>
        (await refusedRuns()) > refused ? true : undefined,
      );
      assert.equal((await latest())?.n, last.n);
    },
  );

  test(
    'a checkpoint signed with another key is reported, and the log is not valid against it',
    limit,
    async () => {
      const h = await head();
      // Someone who may publish to the stream, without the service's key.
      const { privateKey } = generateKeyPairSync('ed25519');
      const claim = {
        hash: h.hash,
        keyId: '0123456789abcdef',
        seq: h.seq,
        signedAt: new Date().toISOString(),
      };
      // RFC 8785 of these members is their JSON in this (code-unit) order.
      const bytes = Buffer.from(JSON.stringify({ ...claim, type: 'ocp.audit.checkpoint.v1' }));
      const forged = makeEvent(
        'ocp.audit.checkpoint.v1',
        { ...claim, signature: sign(null, bytes, privateKey).toString('base64') },
        { source: 'ocp/audit' },
      );
      const ack = await jetstream(nc).publish(SUBJECT, JSON.stringify(forged));

      const res = await verify();
      assert.equal(res.ok, false, JSON.stringify(res));
      assert.equal(res.checkpoint.outcome, 'bad_signature');
      assert.equal(res.checkpoint.checkpointSeq, ack.seq);
      assert.match(
        res.checkpoint.detail,
        /was not signed by this audit service: it names key 0123456789abcdef/,
      );
    },
  );

  test(
    'the checkpoint stream refuses a purge, a message delete, and an update that would allow them',
    limit,
    async () => {
      const info = await jsm.streams.info(STREAM);
      assert.equal(info.config.deny_delete, true);
      assert.equal(info.config.deny_purge, true);
      assert.ok(info.state.messages >= 2);
      await assert.rejects(jsm.streams.purge(STREAM), /purge not permitted/);
      await assert.rejects(
        jsm.streams.deleteMessage(STREAM, info.state.first_seq),
        /message delete not permitted/,
      );
      await assert.rejects(
        jsm.streams.update(STREAM, { ...info.config, deny_delete: false, deny_purge: false }),
        /can not cancel deny/,
      );
      assert.equal((await jsm.streams.info(STREAM)).state.messages, info.state.messages);
    },
  );

  test('a checkpoint stream that cannot be read makes verify fail, not answer valid', limit, async () => {
    // Deny flags keep messages, not the stream: its removal (which NATS permissions keep from the
    // services) must not pass for a valid log.
    await jsm.streams.delete(STREAM);
    const res = await p.api.call('POST', '/api/v1/audit/verify', {});
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
    assert.match(res.body.detail, new RegExp(`the checkpoint stream ${STREAM} could not be read`));
    assert.match(res.body.detail, /not reported valid/);
  });
});
