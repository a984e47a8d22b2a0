import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StartError } from './errors.ts';
import type { Log } from './log.ts';
import { findOnPath } from './nats.ts';

/** A program that a command needs, and the Debian/Ubuntu package that provides it. */
export interface Prerequisite {
  program: string;
  debianPackage: string;
  /** The system service that the package starts on install under systemd, which we do not want. */
  debianService?: string;
}

/**
 * nats-server: the tests start one per test file, and the start command one when nothing answers
 * at `OCP_NATS_URL`. PostgreSQL is not one: without a server that answers, both commands start
 * the embedded PostgreSQL, whose binaries come with the workspace.
 */
export const NATS_SERVER: Prerequisite = {
  program: 'nats-server',
  debianPackage: 'nats-server',
  // It listens on 127.0.0.1:4222 without JetStream: the start command would take it for its NATS.
  debianService: 'nats-server',
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
  const missing: Prerequisite[] = [];
  for (const p of needed) if (!(await findOnPath(p.program, searchPath))) missing.push(p);
  if (missing.length === 0) return;

  const programs = missing.map((p) => p.program).join(' and ');
  const packages = [...new Set(missing.map((p) => p.debianPackage))];
  const services = missing.flatMap((p) => (p.debianService ? [p.debianService] : []));
  const probes = await (opts.probes ?? (() => probeInstall(searchPath)))();
  const plan = planInstall(packages, probes, services);
  if (plan.kind === 'manual') {
    throw new StartError(
      'CLI_PREREQUISITE_MISSING',
      `${programs} is not installed. ${plan.text}, then run ${rerun} again.`,
    );
  }
  if (plan.kind === 'ask') {
    throw new StartError(
      'CLI_PREREQUISITE_MISSING',
      `${programs} is not installed, and installing it needs root. Run this, then ${rerun} again:\n  ${plan.command}`,
    );
  }
  const run = opts.run ?? runCommand;
  log.info(
    `${programs} is not installed; installing ${packages.join(', ')} from the distribution's packages.`,
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
    if (!(await findOnPath(p.program, searchPath))) {
      throw new StartError(
        'CLI_PREREQUISITE_MISSING',
        `${p.debianPackage} was installed, but ${p.program} is still not found in ${searchPath.join(':')}.`,
      );
    }
  }
}
