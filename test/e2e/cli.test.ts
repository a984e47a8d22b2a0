import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bin, ocpctl } from '../support/ocpctl.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login } from '../support/rbac.ts';
import { createTenant } from '../support/tenants.ts';

/** Runs `ocpctl` on a terminal of its own (util-linux `script` makes the pseudo-terminal); `input` is typed into it. */
function ocpctlOnTerminal(
  args: string[],
  opts: { configDir: string; input: string },
): Promise<{ code: number | null; output: string }> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OCPCTL_CONFIG_DIR: opts.configDir,
    OCPCTL_FROM_SOURCE: '1',
    NO_COLOR: '1',
  };
  delete env.OCP_URL;
  delete env.OCP_TOKEN;
  const child = spawn('script', ['-qec', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  // Typed once the prompt is up; the terminal keeps what comes early.
  setTimeout(() => child.stdin.write(opts.input), 1500);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}
const hasScript = existsSync('/usr/bin/script') || existsSync('/bin/script');

/** A TCP port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('ocpctl against the running platform', { timeout: 300_000 }, () => {
  let p: Platform;
  let home: string;
  let configDir: string;
  const run = (args: string[], extra: { input?: string; configDir?: string } = {}) =>
    ocpctl(['--output', 'json', ...args], { configDir, ...extra });
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let created: any;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let backedUp: any;

  before(async () => {
    p = await startPlatform({ backup: true });
    home = await mkdtemp(join(tmpdir(), 'ocpctl-test-'));
    configDir = join(home, 'config');
    // Looser than it should be: login tightens it.
    await mkdir(configDir, { mode: 0o755 });
  });

  after(async () => {
    await p?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('a command before any login exits 3 with the problem as JSON on stderr', async () => {
    const r = await run(['tenants', 'list']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.problem().code, 'CLI_NOT_LOGGED_IN');
    assert.equal(r.stdout, '');
  });

  test('login with --password-stdin keeps the token in a 0600 file of a 0700 directory', async () => {
    const r = await run(
      ['login', '--url', p.gateway.url, '--email', 'owner@example.com', '--password-stdin'],
      {
        input: `${p.ownerPassword}\n`,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().email, 'owner@example.com');
    const file = join(configDir, 'login.json');
    assert.equal(await mode(file), 0o600);
    assert.equal(await mode(configDir), 0o700);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(stored.url, p.gateway.url);
    assert.ok(stored.token.length > 20);
    const me = await run(['whoami']);
    assert.equal(me.code, 0, me.stderr);
    assert.equal(me.json().operator.email, 'owner@example.com');
    assert.equal(me.json().operator.role, 'owner');
  });

  test('a wrong password exits 3 and keeps the stored login', async () => {
    const other = join(home, 'wrong');
    const r = await run(
      ['login', '--url', p.gateway.url, '--email', 'owner@example.com', '--password-stdin'],
      {
        input: 'not-the-password',
        configDir: other,
      },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.problem().status, 401);
    await assert.rejects(stat(join(other, 'login.json')), { code: 'ENOENT' });
  });

  test('tenants create --wait answers the active tenant, and tenants get shows it active', async () => {
    const r = await run(['tenants', 'create', '--slug', 'cli-acme', '--name', 'Acme by CLI', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    created = r.json();
    assert.equal(created.operation.state, 'succeeded');
    assert.equal(created.tenant.state, 'active');
    assert.equal(typeof created.adminPassword, 'string');
    const got = await run(['tenants', 'get', 'cli-acme']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json().id, created.tenant.id);
    assert.equal(got.json().state, 'active');
  });

  test('tenants list filters by search and slug prefix, and --all streams every page', async () => {
    await createTenant(p, 'cli-other');
    const found = await run(['tenants', 'list', '--search', 'ACME']);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(
      found.lines().map((t) => t.slug),
      ['cli-acme'],
    );
    const none = await run(['tenants', 'list', '--search', 'no-such-tenant']);
    assert.deepEqual(none.lines(), []);
    const paged = await run(['tenants', 'list', '--slug-prefix', 'cli-', '--limit', '1', '--all']);
    assert.equal(paged.code, 0, paged.stderr);
    assert.deepEqual(
      paged
        .lines()
        .map((t) => t.slug)
        .sort(),
      ['cli-acme', 'cli-other'],
    );
    const onePage = await run(['tenants', 'list', '--slug-prefix', 'cli-', '--limit', '1']);
    assert.equal(onePage.lines().length, 1);
    const bySlug = await run([
      'tenants',
      'list',
      '--slug-prefix',
      'cli-',
      '--sort',
      '-slug',
      '--limit',
      '1',
      '--all',
    ]);
    assert.deepEqual(
      bySlug.lines().map((t) => t.slug),
      ['cli-other', 'cli-acme'],
    );
    const stats = await run(['tenants', 'stats']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(stats.json().byState.active, 2);
    assert.equal(stats.json().total, 2);
  });

  test('a table on a pipe is aligned plain text with a header', async () => {
    const r = await ocpctl(['--output', 'table', 'tenants', 'list', '--slug-prefix', 'cli-acme'], {
      configDir,
    });
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID\s+SLUG\s+NAME\s+PLAN\s+STATE\s+CREATED$/);
    assert.equal(row!.indexOf('cli-acme'), header!.indexOf('SLUG'));
    assert.ok(!r.stdout.includes('\u001b['), 'no colour codes on a pipe');
  });

  test('suspend and resume with --wait leave the tenant suspended, then active', async () => {
    const s = await run(['tenants', 'suspend', 'cli-acme', '--reason', 'billing', '--wait']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.json().tenant.state, 'suspended');
    assert.deepEqual(s.json().tenant.suspensionReasons, ['billing']);
    assert.equal((await run(['tenants', 'get', 'cli-acme'])).json().state, 'suspended');
    const r = await run(['tenants', 'resume', 'cli-acme', '--reason', 'billing', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().tenant.state, 'active');
  });

  test('a viewer is refused a suspension with exit 4 and the FORBIDDEN problem', async () => {
    const owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    const viewer = await invite(owner, 'viewer-cli@example.com', 'viewer');
    const viewerDir = join(home, 'viewer');
    const l = await run(['login', '--url', p.gateway.url, '--email', viewer.email, '--password-stdin'], {
      input: viewer.password,
      configDir: viewerDir,
    });
    assert.equal(l.code, 0, l.stderr);
    const listed = await run(['tenants', 'get', 'cli-acme'], { configDir: viewerDir });
    assert.equal(listed.code, 0, listed.stderr);
    const r = await run(['tenants', 'suspend', 'cli-acme'], { configDir: viewerDir });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.problem().code, 'FORBIDDEN');
    assert.equal(r.problem().permission, 'tenants:suspend');
    assert.equal((await run(['tenants', 'get', 'cli-acme'])).json().state, 'active');
  });

  test('an unknown tenant exits 5; an API token given on stdin works like a login', async () => {
    const r = await run(['tenants', 'get', 'no-such-tenant']);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.problem().code, 'TENANT_NOT_FOUND');
    const token = await p.api.call('POST', '/api/v1/tokens', { name: 'cli', scopes: ['tenants:read'] });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const tokenDir = join(home, 'token');
    const l = await run(['login', '--url', p.gateway.url, '--token-stdin'], {
      input: token.body.token,
      configDir: tokenDir,
    });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(
      (await run(['tenants', 'get', 'cli-acme'], { configDir: tokenDir })).json().slug,
      'cli-acme',
    );
    // The token's scopes stop a backup: 403, exit 4.
    assert.equal((await run(['backups', 'run', 'cli-acme'], { configDir: tokenDir })).code, 4);
  });

  test('modules commands on a tenant no Odoo runtime serves exit 6 with NO_RUNTIME', async () => {
    for (const args of [
      ['modules', 'list', 'cli-acme', '--search', 'crm'],
      ['modules', 'install', 'cli-acme', 'crm', '--wait'],
      ['modules', 'uninstall', 'cli-acme', 'crm'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 6, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.problem().code, 'NO_RUNTIME');
      assert.equal(r.problem().status, 409);
    }
  });

  test('tenants domains: add prints the TXT record, list shows it, a bad name exits 6, remove needs --yes', async () => {
    const added = await run(['tenants', 'domains', 'add', 'cli-acme', 'ERP.Cli-Acme.example']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.json().domain, 'erp.cli-acme.example');
    assert.equal(added.json().state, 'pending');
    assert.equal(added.json().challenge.name, '_ocp-challenge.erp.cli-acme.example');
    const listed = await run(['tenants', 'domains', 'list', 'cli-acme']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.lines().map((d) => [d.domain, d.challenge.value]),
      [['erp.cli-acme.example', added.json().challenge.value]],
    );
    const table = await ocpctl(['--output', 'table', 'tenants', 'domains', 'list', 'cli-acme'], {
      configDir,
    });
    assert.match(table.stdout.split('\n')[0]!, /^DOMAIN\s+STATE\s+TXT NAME\s+TXT VALUE$/);
    const ip = await run(['tenants', 'domains', 'add', 'cli-acme', '10.0.0.1']);
    assert.equal(ip.code, 6, ip.stderr);
    assert.equal(ip.problem().code, 'DOMAIN_IS_IP');
    // Never claimed: refused before any DNS lookup.
    const unknown = await run(['tenants', 'domains', 'verify', 'cli-acme', 'other.cli-acme.example']);
    assert.equal(unknown.code, 5, unknown.stderr);
    assert.equal(unknown.problem().code, 'DOMAIN_NOT_FOUND');
    const refused = await run(['tenants', 'domains', 'remove', 'cli-acme', 'erp.cli-acme.example']);
    assert.equal(refused.code, 2, refused.stderr);
    const removed = await run(['tenants', 'domains', 'remove', 'cli-acme', 'erp.cli-acme.example', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.json().domain, 'erp.cli-acme.example');
    assert.deepEqual((await run(['tenants', 'domains', 'list', 'cli-acme'])).lines(), []);
  });

  test('backups run --wait succeeds, backups list shows it, download writes an Odoo zip', async () => {
    const r = await run(['backups', 'run', 'cli-acme', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    backedUp = r.json();
    assert.equal(backedUp.operation.state, 'succeeded');
    assert.equal(backedUp.backup.state, 'succeeded');
    const list = await run(['backups', 'list', 'cli-acme']);
    assert.equal(list.code, 0, list.stderr);
    const row = list.lines().find((b) => b.id === backedUp.backup.id);
    assert.equal(row?.state, 'succeeded');

    const file = join(home, 'acme.zip');
    const d = await run(['backups', 'download', 'cli-acme', backedUp.backup.id, '-o', file]);
    assert.equal(d.code, 0, d.stderr);
    const size = (await stat(file)).size;
    assert.equal(d.json().bytes, size);
    const head = Buffer.alloc(4);
    const handle = await open(file);
    await handle.read(head, 0, 4, 0);
    await handle.close();
    assert.deepEqual([...head], [0x50, 0x4b, 0x03, 0x04], 'a zip starts with PK\\3\\4');
    await assert.rejects(stat(`${file}.partial`), { code: 'ENOENT' });

    const wrongTenant = await run(['backups', 'download', 'cli-other', backedUp.backup.id, '-o', `${file}2`]);
    assert.equal(wrongTenant.code, 5, wrongTenant.stderr);
  });

  test('operations watch of a finished operation prints it and exits 0', async () => {
    const json = await run(['operations', 'watch', backedUp.operation.id]);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.lines();
    assert.equal(lines.at(-1).id, backedUp.operation.id);
    assert.equal(lines.at(-1).state, 'succeeded');
    const plain = await ocpctl(['--output', 'table', 'operations', 'watch', created.operation.id], {
      configDir,
    });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`${created.operation.id} succeeded 100%`));
    const listed = await run(['operations', 'list', '--tenant', 'cli-acme', '--all']);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = listed.lines().map((o) => o.id);
    assert.ok(ids.includes(created.operation.id) && ids.includes(backedUp.operation.id), ids.join(' '));
    const backupsOnly = await run(['operations', 'list', '--tenant', 'cli-acme', '--kind', 'backup.run']);
    assert.deepEqual(
      backupsOnly.lines().map((o) => o.id),
      [backedUp.operation.id],
    );
    const unknown = await run(['operations', 'get', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, 5, unknown.stderr);
  });

  test('audit export streams the actions taken, as JSON lines or CSV', async () => {
    const file = join(home, 'audit.jsonl');
    const r = await run(['audit', 'export', '--format', 'jsonl', '-o', file]);
    assert.equal(r.code, 0, r.stderr);
    const entries = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ['auth.login', 'tenant.create', 'tenant.suspend', 'tenant.resume', 'backup.create'])
      assert.ok(actions.has(a), `${a} in ${[...actions].join(', ')}`);
    const csv = await run(['audit', 'export', '--format', 'csv', '--from', '2000-01-01']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout.split('\n')[0]!, /action/);
    assert.match(csv.stdout, /tenant\.suspend/);
  });

  test("a restore --wait whose operation fails exits 7 with the operation's error", async () => {
    // The stored archive of the backup, overwritten: it no longer decrypts, so the restore fails.
    const store = p.backupEnv!.BACKUP_STORE_DIR!;
    const files = (await readdir(store, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && join(e.parentPath, e.name).includes(backedUp.backup.id))
      .map((e) => join(e.parentPath, e.name));
    assert.ok(files.length > 0, `the backup's files under ${store}`);
    for (const f of files) await writeFile(f, Buffer.alloc((await stat(f)).size, 7));
    const r = await run(['backups', 'restore', 'cli-acme', backedUp.backup.id, '--wait']);
    assert.equal(r.code, 7, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.problem().code, 'CLI_OPERATION_FAILED');
    assert.equal(r.stdout, '');
  });

  test('delete refuses without --yes off a terminal (exit 2), and deletes with it', async () => {
    const refused = await run(['tenants', 'delete', 'cli-other']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal((await run(['tenants', 'get', 'cli-other'])).json().state, 'active');
    const r = await run(['tenants', 'delete', 'cli-other', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().operation.kind, 'tenant.delete');
  });

  test('on a terminal, delete asks for the slug and deletes only when it is typed', {
    skip: !hasScript && 'no script(1) to make a terminal',
  }, async () => {
    await createTenant(p, 'cli-tty');
    const shown = await ocpctlOnTerminal(['tenants', 'get', 'cli-tty'], { configDir, input: '' });
    assert.equal(shown.code, 0, shown.output);
    assert.match(shown.output, /state:\s+active/);
    const wrong = await ocpctlOnTerminal(['tenants', 'delete', 'cli-tty'], {
      configDir,
      input: 'cli-other\r',
    });
    assert.equal(wrong.code, 2, wrong.output);
    assert.match(wrong.output, /Type the slug of the tenant to delete \(cli-tty\)/);
    assert.equal((await run(['tenants', 'get', 'cli-tty'])).json().state, 'active');
    const typed = await ocpctlOnTerminal(['tenants', 'delete', 'cli-tty'], { configDir, input: 'cli-tty\r' });
    assert.equal(typed.code, 0, typed.output);
    assert.match(typed.output, /Tenant cli-tty deleting: operation/);
    const gone = await run(['tenants', 'get', 'cli-tty']);
    assert.ok(
      gone.code === 5 || gone.json().state === 'deleting',
      `${gone.code} ${gone.stdout} ${gone.stderr}`,
    );
  });

  test('usage errors exit 2, an unreachable API exits 8, completion covers the commands', async () => {
    const bad = await run(['tenants', 'list', '--no-such-flag']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.problem().detail, /no-such-flag/);
    assert.equal((await run(['tenants', 'list', '--state', 'sleeping'])).code, 2);
    assert.equal((await run(['tenants', 'list', '--limit', 'many'])).code, 2);
    assert.equal((await run(['tenants', 'get'])).code, 2);
    const port = await closedPort();
    const down = await ocpctl(['--output', 'json', 'tenants', 'list'], {
      configDir,
      env: { OCP_URL: `http://127.0.0.1:${port}`, OCP_TOKEN: 'whatever' },
    });
    assert.equal(down.code, 8, down.stderr);
    assert.match(down.problem().detail, /unreachable/);
    const bash = await run(['completion', 'bash']);
    assert.equal(bash.code, 0, bash.stderr);
    for (const word of [
      'tenants',
      'backups',
      'operations',
      'suspend',
      'download',
      'watch',
      '--slug-prefix',
      '--password-stdin',
    ])
      assert.ok(bash.stdout.includes(word), `${word} in the bash completion`);
  });

  test('a stored login is not sent to another --url', async () => {
    const port = await closedPort();
    const r = await run(['--url', `http://127.0.0.1:${port}`, 'tenants', 'list']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.problem().detail, /stored login is for/);
  });

  test('logout ends the session and removes the file; afterwards commands exit 3', async () => {
    const token = JSON.parse(await readFile(join(configDir, 'login.json'), 'utf8')).token;
    const r = await run(['logout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().sessionEnded, true);
    await assert.rejects(stat(join(configDir, 'login.json')), { code: 'ENOENT' });
    const me = await fetch(`${p.gateway.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 401);
    assert.equal((await run(['whoami'])).code, 3);
  });
});
