import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@ocp/testkit';
import { type Publish, withTransaction } from '../src/index.ts';
import { LEASE_MS, published, queueEvent, relay, setup } from './helpers.ts';

const script = fileURLToPath(new URL('./relay-process.ts', import.meta.url));

/** A relay in a child process, and what it has printed so far. */
function startRelayProcess(databaseUrl: string, natsUrl: string): { proc: ChildProcess; said: string[] } {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, databaseUrl, natsUrl, String(LEASE_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const said: string[] = [];
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => said.push(...chunk.split('\n').filter(Boolean)));
  return { proc, said };
}

test('when the leading relay’s host freezes with its connections open, a standby takes the lease over and publishes; the old leader then stands by', {
  timeout: 90_000,
}, async (t) => {
  const { rig, db } = await setup(t);
  const { proc, said } = startRelayProcess(db.url, rig.nats.url);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  rig.defer(async () => {
    proc.kill('SIGCONT');
    proc.kill('SIGKILL');
    await exited;
  });
  await waitFor('the relay process to lead', async () => (said.at(-1) === 'leading' ? true : undefined), {
    timeoutMs: 30_000,
  });
  const byStandby: string[] = [];
  const publish: Publish = async (subject, payload, msgId, headers) => {
    await rig.bus.publishRaw(subject, payload, msgId, headers);
    byStandby.push(msgId);
  };
  const standby = relay(rig, db, publish);
  standby.start();
  await waitFor('the standby to stand by', async () => (standby.healthy() ? true : undefined));
  const first = await withTransaction(db.pool, (c) => queueEvent(c));
  await waitFor('the leader to publish', async () => ((await standby.pending()) === 0 ? true : undefined));
  assert.equal(byStandby.length, 0, 'the process leads; the standby publishes nothing');

  // The host disappears: the process is frozen, its database connections stay open.
  proc.kill('SIGSTOP');
  const second = await withTransaction(db.pool, (c) => queueEvent(c));

  await waitFor('the standby to publish the new event', async () =>
    byStandby.includes(second.eventId) ? true : undefined,
  );
  assert.equal(standby.leading(), true);
  assert.deepEqual(
    (await published(rig.jsm)).map((m) => m.eventId),
    [first.eventId, second.eventId],
  );

  // The host comes back: its lease is gone, so it stands by instead of publishing beside the new leader.
  proc.kill('SIGCONT');
  await waitFor('the old leader to stand by', async () => (said.at(-1) === 'standing by' ? true : undefined));
  const third = await withTransaction(db.pool, (c) => queueEvent(c));
  await waitFor('the new leader to publish', async () =>
    byStandby.includes(third.eventId) ? true : undefined,
  );
  assert.equal(standby.leading(), true);
});
