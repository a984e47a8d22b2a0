import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { configDirOf, createConfigStore } from '../src/config-store.ts';
import { ConfigError } from '../src/errors.ts';

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const skip = process.platform === 'win32' ? 'file modes are not POSIX on Windows' : false;

describe('the login store', { skip }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'ocpctl-store-'));
  after(() => rm(root, { recursive: true, force: true }));
  const login = { url: 'http://127.0.0.1:8080', token: 'secret-token', kind: 'session' as const };

  test('writes the login to a file of mode 0600 in a new directory of mode 0700', async () => {
    const dir = join(root, 'new', 'ocpctl');
    const store = createConfigStore(dir);
    await store.write(login);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(store.file), 0o600);
    assert.deepEqual(await store.read(), login);
  });

  test('tightens a directory and a file that others may read', async () => {
    const dir = join(root, 'loose');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const store = createConfigStore(dir);
    await writeFile(store.file, JSON.stringify(login), { mode: 0o644 });
    await chmod(store.file, 0o644);
    assert.deepEqual(await store.read(), login);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(store.file), 0o600);
  });

  test('refuses a login file that is a symbolic link', async () => {
    const dir = join(root, 'linked');
    await mkdir(dir, { mode: 0o700 });
    const elsewhere = join(root, 'elsewhere.json');
    await writeFile(elsewhere, JSON.stringify(login), { mode: 0o600 });
    const store = createConfigStore(dir);
    await symlink(elsewhere, store.file);
    await assert.rejects(store.read(), (e) => e instanceof ConfigError && /symbolic link/.test(e.message));
  });

  test('answers nothing without a file, refuses a file that is not a login, and removes it', async () => {
    const store = createConfigStore(join(root, 'empty'));
    assert.equal(await store.read(), undefined);
    assert.equal(await store.remove(), false);
    await store.write(login);
    await writeFile(store.file, '{"url": 1}');
    await assert.rejects(store.read(), ConfigError);
    assert.equal(await store.remove(), true);
    assert.equal(await store.read(), undefined);
  });

  test('OCPCTL_CONFIG_DIR chooses the directory; otherwise the user config directory named ocpctl', () => {
    assert.equal(configDirOf({ OCPCTL_CONFIG_DIR: '/somewhere' }), '/somewhere');
    assert.match(configDirOf({}), /ocpctl$/);
  });
});
