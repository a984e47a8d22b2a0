/**
 * The systemd units (deploy/systemd): one hardened unit per service of this tree, running the
 * built service as the README says, with an example settings file that gives only variables the
 * service's configSchema reads (and all it requires), its own NATS seed as a credential, and a
 * writable place for each path it writes. `systemd-analyze verify` needs a running systemd, so the
 * units are read as systemd reads them: sections of `Key=Value` lines, a key given again adding to
 * (or, empty, resetting) the earlier ones.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { envProblems, listenPort, repoRoot, serviceSchemas } from '../support/deploy.ts';

const dir = join(repoRoot, 'deploy/systemd');
const schemas = await serviceSchemas();

type Unit = Map<string, Map<string, string[]>>;

function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = unit.get(header[1]) ?? new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `"${line}" is a Key=Value line inside a section`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    section.set(key, value === '' ? [''] : [...(section.get(key) ?? []).filter((v) => v !== ''), value]);
  }
  return unit;
}

function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) env.set(m[1], m[2] ?? '');
  }
  return env;
}

async function unitOf(name: string) {
  const text = await readFile(join(dir, `ocp-${name}.service`), 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service');
  assert.ok(service, `ocp-${name}.service has a [Service] section`);
  const get = (key: string) => service.get(key) ?? [];
  const env = parseEnvFile(await readFile(join(dir, 'env', `${name}.env`), 'utf8'));
  return { unit, get, env };
}

test('every service of this tree has its unit and an example of its settings', () => {
  for (const name of schemas.keys()) {
    assert.ok(existsSync(join(dir, `ocp-${name}.service`)), `deploy/systemd/ocp-${name}.service`);
    assert.ok(existsSync(join(dir, 'env', `${name}.env`)), `deploy/systemd/env/${name}.env`);
  }
});

test('each unit runs the built service under plain node with its settings file, and restarts it when it fails', async () => {
  for (const name of schemas.keys()) {
    const { unit, get } = await unitOf(name);
    assert.deepEqual(get('ExecStart'), [
      `/usr/bin/node --conditions=production /opt/ocp/services/${name}/dist/main.js`,
    ]);
    assert.deepEqual(get('EnvironmentFile'), [`/etc/ocp/${name}.env`]);
    assert.match(get('Restart')[0] ?? '', /^(on-failure|always)$/, `${name} restarts`);
    assert.ok(
      unit.get('Install')?.get('WantedBy')?.includes('multi-user.target'),
      `${name} is enabled at boot`,
    );
  }
});

test('each unit is hardened: its own unprivileged user, read-only system, no capabilities, the system-service calls only', async () => {
  const expected: Record<string, string> = {
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    NoNewPrivileges: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    CapabilityBoundingSet: '',
    RestrictSUIDSGID: 'yes',
  };
  for (const name of schemas.keys()) {
    const { get } = await unitOf(name);
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(get(key), [value], `${name}: ${key}=${value}`);
    const user = get('User')[0];
    assert.ok(
      get('DynamicUser')[0] === 'yes' || (user !== undefined && user !== 'root' && user !== '0'),
      `${name} runs unprivileged`,
    );
    assert.ok(
      get('SystemCallFilter').includes('@system-service'),
      `${name}: SystemCallFilter=@system-service`,
    );
    const families = (get('RestrictAddressFamilies')[0] ?? '').split(/\s+/);
    assert.deepEqual(families.sort(), ['AF_INET', 'AF_INET6', 'AF_UNIX'], `${name}: RestrictAddressFamilies`);
  }
});

test("each service's settings name only variables of its configSchema, all it requires, and its port", async () => {
  const problems: string[] = [];
  for (const [name, schema] of schemas) {
    const { env } = await unitOf(name);
    problems.push(...envProblems(schema, env, `env/${name}.env`));
    assert.equal(listenPort(schema, env), schema.defaultPort, `${name} listens on its own port`);
  }
  assert.deepEqual(problems, []);
});

test('each service reads its own NATS seed, which systemd hands it as a credential', async () => {
  for (const name of schemas.keys()) {
    const { get, env } = await unitOf(name);
    assert.deepEqual(get('LoadCredential'), [`nats.nk:/etc/ocp/nats/${name}.nk`]);
    assert.equal(env.get('NATS_NKEY_SEED_FILE'), `/run/credentials/ocp-${name}.service/nats.nk`);
  }
});

test('every path a service writes is writable under ProtectSystem=strict: its state directory or a listed path', async () => {
  // The settings that name a place the service writes (a file it makes, a directory it fills).
  const written = ['BACKUP_LOCAL_KEY_FILE', 'BACKUP_STORE_DIR', 'TENANT_FILESTORE_DIR', 'ROUTER_OUTPUT_DIR'];
  let checked = 0;
  for (const name of schemas.keys()) {
    const { get, env } = await unitOf(name);
    const writable = [
      ...get('StateDirectory').map((d) => `/var/lib/${d}`),
      ...get('ReadWritePaths').flatMap((p) => p.split(/\s+/)),
    ];
    for (const variable of written) {
      const path = env.get(variable);
      if (path === undefined) continue;
      checked++;
      assert.ok(
        writable.some((w) => path === w || path.startsWith(`${w}/`)),
        `${name}: ${variable}=${path} is inside ${writable.join(', ') || 'nothing writable'}`,
      );
    }
  }
  assert.ok(checked >= 3, 'the written paths are checked');
});
