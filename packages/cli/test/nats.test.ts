import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { natsAuthorization } from '@ocp/bus';
import { freePort, startNats, waitFor } from '@ocp/testkit';
import { canConnect, ensureNats, StartError } from '../src/index.ts';
import { ensureNatsSeeds } from '../src/nats.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

const searchPath = (process.env.PATH ?? '').split(':');

test("starts a nats-server with JetStream and the catalog's users on the port of the URL when nothing listens there", async (t) => {
  const defer = cleanups(t);
  const storeDir = join(await tempDir(defer, 'ocp-cli-nats-'), 'store');
  const port = await freePort();
  const { log, lines } = memoryLog();

  const nats = await ensureNats({ url: `nats://127.0.0.1:${port}`, storeDir, searchPath, log });
  defer(() => nats.stop());

  assert.equal(nats.startedHere, true);
  assert.equal(nats.url, `nats://127.0.0.1:${port}`);
  assert.ok(
    lines.some((l) => l.startsWith('[nats] ')),
    'the server output is shown under [nats]',
  );
  await assert.rejects(
    connect({ servers: nats.url, reconnect: false }),
    /Authorization Violation/,
    'a connection without credentials is refused',
  );
  const seedFiles = nats.seedFiles ?? {};
  assert.deepEqual(Object.keys(seedFiles).sort(), [
    'admin',
    'audit',
    'backup',
    'billing',
    'gateway',
    'notifier',
    'observer',
    'quota',
    'router',
    'tenant',
  ]);
  for (const file of Object.values(seedFiles)) {
    assert.equal((await stat(file)).mode & 0o777, 0o600, `${file} is readable by its owner only`);
  }
  const seed = (await readFile(seedFiles.gateway!, 'utf8')).trim();
  const nc = await connect({
    servers: nats.url,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: '_INBOX_gateway',
  });
  try {
    const info = JSON.parse(new TextDecoder().decode((await nc.request('$JS.API.INFO', '')).data));
    assert.equal(info.error, undefined, 'JetStream answers');
  } finally {
    await nc.close();
  }
  assert.ok((await stat(join(storeDir, 'jetstream'))).isDirectory(), 'JetStream stores in storeDir');
  const config = await readFile(join(storeDir, '..', 'nats-credentials', 'nats-server.conf'), 'utf8');
  assert.doesNotMatch(config, /SU[A-Z2-7]{56}/, 'the server configuration holds no seed');

  await nats.stop();
  assert.equal(await canConnect('127.0.0.1', port), false, 'stop() ends the server');

  // A second start keeps the seeds: the services' credentials do not change between starts.
  const again = await ensureNats({ url: `nats://127.0.0.1:${port}`, storeDir, searchPath, log });
  defer(() => again.stop());
  assert.equal((await readFile(again.seedFiles!.gateway!, 'utf8')).trim(), seed);
  await again.stop();
});

test('uses a nats-server that already listens and leaves it running, warning when it takes anyone', async (t) => {
  const defer = cleanups(t);
  const running = await startNats();
  defer(() => running.dispose());
  const storeDir = join(await tempDir(defer, 'ocp-cli-nats-'), 'store');

  const { log, lines } = memoryLog();
  const nats = await ensureNats({ url: running.url, storeDir, searchPath, log });
  await nats.stop();
  assert.equal(nats.seedFiles, undefined, 'no credentials were configured');
  assert.equal(
    lines.filter((l) => l.includes('accepts connections without credentials')).length,
    1,
    'one plain warning that the server takes anyone',
  );

  assert.equal(nats.startedHere, false);
  assert.equal(nats.url, running.url);
  assert.equal(await canConnect('127.0.0.1', running.port), true);
  await assert.rejects(stat(storeDir), { code: 'ENOENT' }, 'no store is made for a server we did not start');
});

test('a NATS server that answers without JetStream is refused, saying how to go on', async (t) => {
  const defer = cleanups(t);
  const port = await freePort();
  const plain = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  defer(async () => {
    plain.kill('SIGKILL');
    if (plain.exitCode === null && plain.signalCode === null) await once(plain, 'exit');
  });
  await waitFor('nats-server to listen', async () =>
    (await canConnect('127.0.0.1', port)) ? true : undefined,
  );
  const storeDir = join(await tempDir(defer, 'ocp-cli-nats-'), 'store');

  await assert.rejects(
    ensureNats({ url: `nats://127.0.0.1:${port}`, storeDir, searchPath, log: memoryLog().log }),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_NATS_FAILED' &&
      err.message.includes(`NATS at nats://127.0.0.1:${port} has no JetStream`) &&
      err.message.includes('OCP_NATS_URL'),
  );
  await assert.rejects(stat(storeDir), { code: 'ENOENT' }, 'no server of our own was started');
});

test('asks to install nats-server when nothing listens and it is not on the PATH', async (t) => {
  const defer = cleanups(t);
  const emptyDir = await tempDir(defer, 'ocp-cli-path-');
  const port = await freePort();

  await assert.rejects(
    ensureNats({
      url: `nats://127.0.0.1:${port}`,
      storeDir: join(emptyDir, 'store'),
      searchPath: [emptyDir],
      log: memoryLog().log,
    }),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_NATS_NOT_FOUND' &&
      err.message.includes('sudo apt-get install nats-server') &&
      err.message.includes('run `pnpm start` again'),
  );
});

test('does not start a local nats-server in place of a remote one that does not answer', async (t) => {
  const defer = cleanups(t);
  const dir = await tempDir(defer, 'ocp-cli-nats-');
  // 192.0.2.0/24 is reserved for documentation: nothing answers there.
  await assert.rejects(
    ensureNats({
      url: 'nats://192.0.2.1:4222',
      storeDir: join(dir, 'store'),
      searchPath,
      log: memoryLog().log,
    }),
    (err: unknown) =>
      err instanceof StartError && err.code === 'CLI_NATS_FAILED' && /192\.0\.2\.1/.test(err.message),
  );
});

test('signs in to a NATS server it did not start with the seeds of OCP_NATS_SEEDS_DIR', async (t) => {
  const defer = cleanups(t);
  const seedsDir = await tempDir(defer, 'ocp-cli-seeds-');
  const { users } = await ensureNatsSeeds(seedsDir);
  // The admin's seed is optional: the check signs in as the gateway then.
  await rm(join(seedsDir, 'admin.nk'));
  const running = await startNats({ authorization: natsAuthorization(users) });
  defer(() => running.dispose());
  const storeDir = join(await tempDir(defer, 'ocp-cli-nats-'), 'store');

  const { log, lines } = memoryLog();
  const nats = await ensureNats({ url: running.url, storeDir, searchPath, log, externalSeedsDir: seedsDir });
  assert.equal(nats.startedHere, false);
  assert.equal(nats.seedFiles?.tenant, join(seedsDir, 'tenant.nk'));
  assert.equal(
    lines.filter((l) => l.includes('without credentials')).length,
    0,
    'no warning: it takes no one',
  );

  // Without the seeds, the JetStream check cannot sign in and says so.
  await assert.rejects(
    ensureNats({ url: running.url, storeDir, searchPath, log: memoryLog().log }),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_NATS_FAILED' &&
      /Authorization Violation/i.test(err.message),
  );
});
