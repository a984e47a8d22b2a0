import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { freePort, startNats, waitFor } from '@ocp/testkit';
import { canConnect, ensureNats, StartError } from '../src/index.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

const searchPath = (process.env.PATH ?? '').split(':');

test('starts a nats-server with JetStream on the port of the URL when nothing listens there', async (t) => {
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
  const nc = await connect({ servers: nats.url });
  try {
    const info = JSON.parse(new TextDecoder().decode((await nc.request('$JS.API.INFO', '')).data));
    assert.equal(info.error, undefined, 'JetStream answers');
  } finally {
    await nc.close();
  }
  assert.ok((await stat(join(storeDir, 'jetstream'))).isDirectory(), 'JetStream stores in storeDir');

  await nats.stop();
  assert.equal(await canConnect('127.0.0.1', port), false, 'stop() ends the server');
});

test('uses a nats-server that already listens and leaves it running', async (t) => {
  const defer = cleanups(t);
  const running = await startNats();
  defer(() => running.dispose());
  const storeDir = join(await tempDir(defer, 'ocp-cli-nats-'), 'store');

  const nats = await ensureNats({ url: running.url, storeDir, searchPath, log: memoryLog().log });
  await nats.stop();

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
