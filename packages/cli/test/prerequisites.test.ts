import assert from 'node:assert/strict';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ensurePrerequisites,
  findPgDump,
  type InstallProbes,
  KUBECTL,
  NATS_SERVER,
  NGINX,
  POSTGRES_CLIENT,
  PROMTOOL,
  planInstall,
  StartError,
  searchPathOf,
} from '../src/index.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

const debian = { hasAptGet: true, hasSudo: true, systemd: false };
const asRoot: InstallProbes = { ...debian, isRoot: true, sudoWithoutPassword: false };
const withSudo: InstallProbes = { ...debian, isRoot: false, sudoWithoutPassword: true };
const sudoAsksPassword: InstallProbes = { ...debian, isRoot: false, sudoWithoutPassword: false };
const noSudo: InstallProbes = { ...debian, hasSudo: false, isRoot: false, sudoWithoutPassword: false };

test('as root, the packages are installed with apt-get directly, after an update', () => {
  assert.deepEqual(planInstall(['nats-server'], asRoot), {
    kind: 'install',
    commands: [
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'nats-server'],
    ],
  });
});

test('with sudo that needs no password, the same commands run through sudo -n', () => {
  assert.deepEqual(planInstall(['nats-server'], withSudo), {
    kind: 'install',
    commands: [
      ['sudo', '-n', 'apt-get', 'update'],
      ['sudo', '-n', 'apt-get', 'install', '-y', 'nats-server'],
    ],
  });
});

test('without root or sudo -n, nothing is installed and the one command to run is given', () => {
  assert.deepEqual(planInstall(['nats-server'], sudoAsksPassword), {
    kind: 'ask',
    command: "sudo sh -c 'apt-get update && apt-get install -y nats-server'",
  });
  assert.deepEqual(planInstall(['nats-server'], noSudo), {
    kind: 'ask',
    command: "su -c 'apt-get update && apt-get install -y nats-server'",
  });
  assert.equal(planInstall(['nats-server'], { ...asRoot, hasAptGet: false }).kind, 'manual');
});

test("under systemd, the service that Debian's nats-server package starts is stopped and disabled again", () => {
  const underSystemd = { ...withSudo, systemd: true };
  assert.deepEqual(planInstall(['nats-server'], underSystemd, ['nats-server']), {
    kind: 'install',
    commands: [
      ['sudo', '-n', 'apt-get', 'update'],
      ['sudo', '-n', 'apt-get', 'install', '-y', 'nats-server'],
      ['sudo', '-n', 'systemctl', 'disable', '--now', 'nats-server'],
    ],
  });
  assert.deepEqual(planInstall(['nats-server'], { ...sudoAsksPassword, systemd: true }, ['nats-server']), {
    kind: 'ask',
    command:
      "sudo sh -c 'apt-get update && apt-get install -y nats-server && systemctl disable --now nats-server'",
  });
  assert.equal(planInstall(['nats-server'], withSudo, ['nats-server']).kind, 'install');
  assert.equal(
    (planInstall(['nats-server'], withSudo, ['nats-server']) as { commands: string[][] }).commands.length,
    2,
    'without systemd nothing was started',
  );
});

/** A directory holding an executable `name`, as a package would install it. */
async function installFake(dir: string, name: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), '#!/bin/sh\n');
  await chmod(join(dir, name), 0o755);
}

test('a missing program is installed by running the planned commands in order, and found afterwards', async (t) => {
  const defer = cleanups(t);
  const bin = join(await tempDir(defer, 'ocp-cli-bin-'), 'sbin');
  const ran: string[][] = [];
  const { log, lines } = memoryLog();

  await ensurePrerequisites({
    needed: [NATS_SERVER],
    searchPath: [bin],
    log,
    rerun: '`./run test`',
    probes: async () => withSudo,
    run: async (argv) => {
      ran.push(argv);
      if (argv.includes('install')) await installFake(bin, 'nats-server');
      return 0;
    },
  });

  assert.deepEqual(ran, [
    ['sudo', '-n', 'apt-get', 'update'],
    ['sudo', '-n', 'apt-get', 'install', '-y', 'nats-server'],
  ]);
  assert.ok(lines.some((l) => l.includes('installing nats-server')));
});

test('a program that is there already installs nothing; one that is missing without root stops with the command', async (t) => {
  const defer = cleanups(t);
  const bin = await tempDir(defer, 'ocp-cli-bin-');
  const refuse = async () => {
    throw new Error('nothing may run');
  };
  await installFake(bin, 'nats-server');
  await ensurePrerequisites({
    needed: [NATS_SERVER],
    searchPath: [bin],
    log: memoryLog().log,
    rerun: '`./run test`',
    probes: async () => asRoot,
    run: refuse,
  });

  await assert.rejects(
    ensurePrerequisites({
      needed: [NATS_SERVER],
      searchPath: [join(bin, 'empty')],
      log: memoryLog().log,
      rerun: '`./run test`',
      probes: async () => sudoAsksPassword,
      run: refuse,
    }),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_PREREQUISITE_MISSING' &&
      err.message.endsWith("\n  sudo sh -c 'apt-get update && apt-get install -y nats-server'"),
  );
});

test("pg_dump is found in Debian's versioned directories, newest first, or in the search path; postgresql-common's pg_wrapper alone does not count", async (t) => {
  const defer = cleanups(t);
  const root = await tempDir(defer, 'ocp-cli-pg-');
  const lib = join(root, 'lib', 'postgresql');
  const usrBin = join(root, 'usr', 'bin');
  await installFake(join(root, 'share', 'postgresql-common'), 'pg_wrapper');
  await mkdir(usrBin, { recursive: true });
  await symlink(join(root, 'share', 'postgresql-common', 'pg_wrapper'), join(usrBin, 'pg_dump'));
  await mkdir(lib, { recursive: true });

  // A server package's wrapper, with no client behind it.
  assert.equal(await findPgDump([usrBin], lib), undefined);
  assert.equal(await findPgDump([usrBin], join(root, 'no-such-dir')), undefined);

  await installFake(join(lib, '15', 'bin'), 'pg_dump');
  await installFake(join(lib, '17', 'bin'), 'pg_dump');
  assert.equal(await findPgDump([usrBin], lib), join(lib, '17', 'bin', 'pg_dump'));

  // A pg_dump of its own on the PATH (a PostgreSQL built or unpacked elsewhere).
  const own = join(root, 'opt', 'bin');
  await installFake(own, 'pg_dump');
  assert.equal(await findPgDump([usrBin, own], join(root, 'no-such-dir')), join(own, 'pg_dump'));
});

test('a missing pg_dump is installed from postgresql-client with nats-server, in one apt-get install', async (t) => {
  const defer = cleanups(t);
  const bin = await tempDir(defer, 'ocp-cli-bin-');
  const lib = join(bin, 'lib', 'postgresql');
  const pgClient = { ...POSTGRES_CLIENT, find: (dirs: string[]) => findPgDump(dirs, lib) };
  const ran: string[][] = [];
  const { log, lines } = memoryLog();

  await ensurePrerequisites({
    needed: [NATS_SERVER, pgClient],
    searchPath: [bin],
    log,
    rerun: '`./run test`',
    probes: async () => asRoot,
    run: async (argv) => {
      ran.push(argv);
      if (argv.includes('install')) {
        await installFake(bin, 'nats-server');
        await installFake(join(lib, '15', 'bin'), 'pg_dump');
      }
      return 0;
    },
  });

  assert.deepEqual(ran, [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'nats-server', 'postgresql-client'],
  ]);
  assert.ok(lines.some((l) => l.includes('nats-server and pg_dump are not installed')));
  assert.equal(POSTGRES_CLIENT.debianPackage, 'postgresql-client');

  await assert.rejects(
    ensurePrerequisites({
      needed: [{ ...pgClient, find: (dirs: string[]) => findPgDump(dirs, join(bin, 'empty')) }],
      searchPath: [join(bin, 'empty')],
      log: memoryLog().log,
      rerun: '`./run start`',
      probes: async () => sudoAsksPassword,
      run: async () => {
        throw new Error('nothing may run');
      },
    }),
    (err: unknown) =>
      err instanceof StartError &&
      err.message.endsWith("\n  sudo sh -c 'apt-get update && apt-get install -y postgresql-client'"),
  );
});

test("the deployment tests' programs come from Debian's packages, nginx and prometheus with their services stopped again under systemd", async (t) => {
  const defer = cleanups(t);
  const bin = await tempDir(defer, 'ocp-cli-bin-');
  const sbin = join(bin, 'sbin');
  const ran: string[][] = [];
  const { log, lines } = memoryLog();

  await ensurePrerequisites({
    needed: [KUBECTL, NGINX, PROMTOOL],
    searchPath: [bin, sbin],
    log,
    rerun: '`./run test`',
    probes: async () => ({ ...asRoot, systemd: true }),
    run: async (argv) => {
      ran.push(argv);
      if (argv.includes('install')) {
        await installFake(bin, 'kubectl');
        // Debian puts nginx in /usr/sbin, outside a non-root user's PATH.
        await installFake(sbin, 'nginx');
        await installFake(bin, 'promtool');
      }
      return 0;
    },
  });

  assert.deepEqual(ran, [
    ['apt-get', 'update'],
    ['apt-get', 'install', '-y', 'kubernetes-client', 'nginx', 'prometheus'],
    ['systemctl', 'disable', '--now', 'nginx', 'prometheus'],
  ]);
  assert.ok(lines.some((l) => l.includes('kubectl and nginx and promtool are not installed')));
});

test('the sbin directories, where Debian puts nginx, are searched whatever the PATH says', () => {
  for (const path of [undefined, '', '/usr/local/bin:/usr/bin:/bin'])
    for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin'])
      assert.ok(searchPathOf(path).includes(dir), `${dir} is searched with PATH=${path}`);
  assert.deepEqual(searchPathOf('/opt/bin:/usr/sbin').slice(0, 2), ['/opt/bin', '/usr/sbin']);
});
