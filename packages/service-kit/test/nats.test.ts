import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { nkeys } from '@nats-io/nats-core';
import { natsAuthorization } from '@ocp/bus';
import { startNats } from '@ocp/testkit';
import pino from 'pino';
import { commonConfig, redactConfig } from '../src/config.ts';
import { connectNats, natsSeed } from '../src/nats.ts';

const seedOf = (kp: ReturnType<typeof nkeys.createUser>) => new TextDecoder().decode(kp.getSeed());

/** A logger whose lines are kept, to look for secrets in. */
function recordingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), text: () => lines.join('') };
}

test('the NKEY seed comes from NATS_NKEY_SEED or its file; a bad one is refused without being shown', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-seed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = seedOf(nkeys.createUser());
  const file = join(dir, 'nats.nk');
  await writeFile(file, `${seed}\n`);

  assert.equal(await natsSeed({}), undefined, 'no credentials: none');
  assert.equal(await natsSeed({ seed }), seed);
  assert.equal(await natsSeed({ seedFile: file }), seed, 'read from the mounted file, trimmed');
  await assert.rejects(
    natsSeed({ seedFile: join(dir, 'missing.nk') }),
    /missing\.nk cannot be read \(ENOENT\)/,
  );

  const wrong = 'SU-not-a-seed-but-secret';
  await assert.rejects(natsSeed({ seed: wrong }), (err: Error) => {
    assert.match(err.message, /not a user seed/);
    assert.ok(!err.message.includes(wrong), 'the value is not in the message');
    return true;
  });
  const schema = { type: 'object' as const, properties: commonConfig };
  assert.equal(redactConfig(schema, { NATS_NKEY_SEED: seed }).NATS_NKEY_SEED, '[redacted]');
});

test('a service signs in with its seed and its own inbox prefix, and never logs the seed', async (t) => {
  const kp = nkeys.createUser();
  const nats = await startNats({
    authorization: natsAuthorization([{ identity: 'tenant', nkey: kp.getPublicKey() }]),
  });
  t.after(() => nats.dispose());
  const { logger, text } = recordingLogger();

  const handle = await connectNats({
    url: nats.url,
    name: 'tenant',
    logger,
    credentials: { seed: seedOf(kp) },
  });
  try {
    assert.equal(handle.connected(), true);
    // The tenant's permissions allow JetStream's account info, answered to its own inbox only.
    const reply = await handle.nc.request('$JS.API.INFO', '', { timeout: 5000 });
    assert.equal(reply.json<{ error?: unknown }>().error, undefined);
    assert.match(reply.subject, /^_INBOX_tenant\./);
  } finally {
    await handle.nc.close();
  }
  assert.ok(!text().includes(seedOf(kp)), 'the seed is not in the log');
});

test('a server that refuses the credentials, or wants some, stops the start saying what to set', async (t) => {
  const nats = await startNats({
    authorization: natsAuthorization([{ identity: 'tenant', nkey: nkeys.createUser().getPublicKey() }]),
  });
  t.after(() => nats.dispose());
  const logger = pino({ level: 'silent' });
  const stranger = seedOf(nkeys.createUser());
  await assert.rejects(
    connectNats({ url: nats.url, name: 'tenant', logger, credentials: { seed: stranger } }),
    (err: Error) => /refused the tenant service's NKEY/.test(err.message) && !err.message.includes(stranger),
  );
  await assert.rejects(
    connectNats({ url: nats.url, name: 'tenant', logger }),
    /requires credentials: set NATS_NKEY_SEED or NATS_NKEY_SEED_FILE/,
  );
});
