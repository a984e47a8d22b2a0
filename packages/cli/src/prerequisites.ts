import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StartError } from './errors.ts';
import type { Log } from './log.ts';
import { findOnPath } from './nats.ts';

/** A program that a command needs, and the Debian/Ubuntu package that provides it. */
export interface Prerequisite {
  program: string;
  debianPackage: string;
  /** The system service that the package starts on install under systemd, which we do not want. */
  debianService?: string;
  /** Where the program is, if anywhere; by default the first `program` in the search path. */
  find?: (searchPath: string[]) => Promise<string | undefined>;
}

/**
 * nats-server: the tests start one per test file, and the start command one when nothing answers
 * at `OCP_NATS_URL`. The PostgreSQL server is not one: without a server that answers, both
 * commands start the embedded PostgreSQL, whose binaries come with the workspace (its client
 * programs are `POSTGRES_CLIENT`).
 */
export const NATS_SERVER: Prerequisite = {
  program: 'nats-server',
  debianPackage: 'nats-server',
  // It listens on 127.0.0.1:4222 without JetStream: the start command would take it for its NATS.
  debianService: 'nats-server',
};

/** Where Debian's PostgreSQL packages put each major version's programs: `<dir>/<major>/bin`. */
export const POSTGRES_LIB_DIR = '/usr/lib/postgresql';

/**
 * A runnable pg_dump: in `<libDir>/<major>/bin` (newest first), where the backup service looks
 * first, else in the search path. Debian's `/usr/bin/pg_dump` is a link to postgresql-common's
 * `pg_wrapper`, which is there without any client (a server package brings it) and runs none: it
 * does not count.
 */
export async function findPgDump(
  searchPath: string[],
  libDir: string = POSTGRES_LIB_DIR,
): Promise<string | undefined> {
  const majors = await readdir(libDir).catch(() => [] as string[]);
  const versioned = majors
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(libDir, major, 'bin'));
  for (const dir of [...versioned, ...searchPath]) {
    const found = await findOnPath('pg_dump', [dir]);
    if (!found) continue;
    const target = await realpath(found).catch(() => found);
    if (basename(target) !== 'pg_wrapper') return found;
  }
  return undefined;
}

/**
 * The PostgreSQL client programs (pg_dump, pg_restore, psql): the backup service dumps and
 * restores tenant databases with them, and the tests run it. Debian's `postgresql-client` is the
 * distribution's major version (15 on Debian 12, that of the embedded PostgreSQL); a newer server
 * needs `postgresql-client-<major>`, which the backup service names when it meets one.
 */
export const POSTGRES_CLIENT: Prerequisite = {
  program: 'pg_dump',
  debianPackage: 'postgresql-client',
  find: (searchPath) => findPgDump(searchPath),
};

/**
 * Chromium: the web app's end-to-end tests drive Debian's `chromium` headless through
 * playwright-core (which downloads no browser of its own). Only `./run test` needs it.
 */
export const CHROMIUM: Prerequisite = {
  program: 'chromium',
  debianPackage: 'chromium',
};

/**
 * kubectl: the deployment tests render the Kubernetes manifests with `kubectl kustomize` (no
 * cluster needed). Only `./run test` needs it.
 */
export const KUBECTL: Prerequisite = {
  program: 'kubectl',
  debianPackage: 'kubernetes-client',
};

/**
 * NGINX: the routing tests run Debian's nginx with the rendered configuration. It is in
 * /usr/sbin, which `searchPathOf` always searches, so a PATH without the sbin directories (a
 * non-root user's) still finds it. Only `./run test` needs it.
 */
export const NGINX: Prerequisite = {
  program: 'nginx',
  debianPackage: 'nginx',
  // Its service would take port 80 and run the default site.
  debianService: 'nginx',
};

/**
 * promtool: the alert rules' unit tests and the Prometheus configuration checks. Debian ships it
 * in the prometheus package, with the server. Only `./run test` needs it.
 */
export const PROMTOOL: Prerequisite = {
  program: 'promtool',
  debianPackage: 'prometheus',
  // The server it brings would scrape and store in the background.
  debianService: 'prometheus',
};

/** What this machine allows for installing packages. */
export interface InstallProbes {
  isRoot: boolean;
  hasAptGet: boolean;
  hasSudo: boolean;
  /** `sudo -n true` succeeds: sudo runs without asking for a password. */
  sudoWithoutPassword: boolean;
  /** systemd runs this machine: a package's service starts as soon as it is installed. */
  systemd: boolean;
}

/** How to get the missing packages onto this machine. */
export type InstallPlan =
  /** Run each command in order (`apt-get update`, then `apt-get install -y`). */
  | { kind: 'install'; commands: string[][] }
  /** We may not install: the one command for the user to run. */
  | { kind: 'ask'; command: string }
  /** No apt-get: what to install, in words. */
  | { kind: 'manual'; text: string };

/**
 * Decides how to install `packages`: as root, through `sudo -n`, or by asking the user. Under
 * systemd, the `services` those packages start on install are stopped and disabled again.
 */
export function planInstall(
  packages: readonly string[],
  probes: InstallProbes,
  services: readonly string[] = [],
): InstallPlan {
  if (!probes.hasAptGet) {
    return {
      kind: 'manual',
      text: `Install ${packages.join(' and ')} with this system's package manager (the Debian/Ubuntu packages are named ${packages.join(', ')})`,
    };
  }
  const update = ['apt-get', 'update'];
  const install = ['apt-get', 'install', '-y', ...packages];
  const commands = [update, install];
  if (probes.systemd && services.length > 0) commands.push(['systemctl', 'disable', '--now', ...services]);
  if (probes.isRoot) return { kind: 'install', commands };
  if (probes.sudoWithoutPassword) {
    return { kind: 'install', commands: commands.map((argv) => ['sudo', '-n', ...argv]) };
  }
  const all = commands.map((argv) => argv.join(' ')).join(' && ');
  return { kind: 'ask', command: probes.hasSudo ? `sudo sh -c '${all}'` : `su -c '${all}'` };
}

/** The probes of this machine. */
export async function probeInstall(searchPath: string[]): Promise<InstallProbes> {
  const hasSudo = (await findOnPath('sudo', searchPath)) !== undefined;
  return {
    isRoot: process.getuid?.() === 0,
    hasAptGet: (await findOnPath('apt-get', searchPath)) !== undefined,
    hasSudo,
    sudoWithoutPassword: hasSudo && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    systemd: existsSync('/run/systemd/system'),
  };
}

/** Runs `argv` with the terminal's output, resolving its exit code. */
function runCommand(argv: string[]): Promise<number> {
  const [command, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** Options of `ensurePrerequisites`. */
export interface EnsurePrerequisitesOptions {
  needed: readonly Prerequisite[];
  /** The directories searched for the programs (the `PATH`). */
  searchPath: string[];
  log: Log;
  /** How to run the command again, for the message when the user must install by hand. */
  rerun: string;
  probes?: () => Promise<InstallProbes>;
  run?: (argv: string[]) => Promise<number>;
}

/**
 * Installs the distribution's packages of the programs in `needed` that are not in `searchPath`,
 * when this process may (as root, or through `sudo -n`). Otherwise throws a `StartError` whose
 * message is the one command to run.
 */
export async function ensurePrerequisites(opts: EnsurePrerequisitesOptions): Promise<void> {
  const { needed, searchPath, log, rerun } = opts;
  const find = (p: Prerequisite) => (p.find ?? ((dirs) => findOnPath(p.program, dirs)))(searchPath);
  const missing: Prerequisite[] = [];
  for (const p of needed) if (!(await find(p))) missing.push(p);
  if (missing.length === 0) return;

  const programs = missing.map((p) => p.program).join(' and ');
  const is = missing.length > 1 ? 'are' : 'is';
  const packages = [...new Set(missing.map((p) => p.debianPackage))];
  const services = missing.flatMap((p) => (p.debianService ? [p.debianService] : []));
  const probes = await (opts.probes ?? (() => probeInstall(searchPath)))();
  const plan = planInstall(packages, probes, services);
  if (plan.kind === 'manual') {
    throw new StartError(
      'CLI_PREREQUISITE_MISSING',
      `${programs} ${is} not installed. ${plan.text}, then run ${rerun} again.`,
    );
  }
  if (plan.kind === 'ask') {
    throw new StartError(
      'CLI_PREREQUISITE_MISSING',
      `${programs} ${is} not installed, and installing ${missing.length > 1 ? 'them' : 'it'} needs root. Run this, then ${rerun} again:\n  ${plan.command}`,
    );
  }
  const run = opts.run ?? runCommand;
  log.info(
    `${programs} ${is} not installed; installing ${packages.join(', ')} from the distribution's packages.`,
  );
  for (const argv of plan.commands) {
    const code = await run(argv);
    if (code !== 0) {
      throw new StartError(
        'CLI_PREREQUISITE_MISSING',
        `\`${argv.join(' ')}\` failed (exit code ${code}); install ${packages.join(', ')} and run ${rerun} again.`,
      );
    }
  }
  for (const p of missing) {
    if (!(await find(p))) {
      throw new StartError(
        'CLI_PREREQUISITE_MISSING',
        `${p.debianPackage} was installed, but ${p.program} is still not found in ${searchPath.join(':')}.`,
      );
    }
  }
}
