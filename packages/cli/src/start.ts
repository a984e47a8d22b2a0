/**
 * `pnpm start`: installs what the platform needs when it is missing (see prerequisites.ts), runs
 * the whole platform on this machine (see run-platform.ts) and prints where to log in.
 *
 * A terminal's Ctrl-C signals every process of the foreground group at once, and PostgreSQL
 * answers SIGINT with a fast shutdown. So the platform runs in a session of its own, and this
 * process passes each signal on to it alone, which stops the services first, then nats-server,
 * then PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig, repoRoot } from './config.ts';
import { StartError } from './errors.ts';
import { plainLog } from './log.ts';
import { ensurePrerequisites, NATS_SERVER, POSTGRES_CLIENT } from './prerequisites.ts';
import { canConnect } from './wait.ts';

const log = plainLog('[start] ');

try {
  // A configuration that cannot work is reported by the runner, with everything else it finds.
  const config = (() => {
    try {
      return loadConfig();
    } catch {
      return undefined;
    }
  })();
  if (config) {
    const nats = new URL(config.natsUrl);
    const natsAnswers = await canConnect(nats.hostname, Number(nats.port || 4222));
    await ensurePrerequisites({
      // pg_dump, pg_restore and psql: the backup service runs them, whichever PostgreSQL it backs up.
      needed: natsAnswers ? [POSTGRES_CLIENT] : [NATS_SERVER, POSTGRES_CLIENT],
      searchPath: config.searchPath,
      log,
      rerun: '`./run start`',
    });
  }
} catch (err) {
  log.error(err instanceof StartError ? err.message : String(err));
  process.exit(1);
}

const runner = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./run-platform.ts', import.meta.url))],
  // The IPC channel lets the runner notice when this process dies without passing on a signal.
  { cwd: repoRoot, detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);

// tsx passes on a Ctrl-C that already reached us, so one keypress can arrive twice.
let relayedAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (Date.now() - relayedAt < 1_000) return;
    relayedAt = Date.now();
    // The signal itself, so that the runner's log names what the user did (Ctrl-C is SIGINT).
    runner.kill(signal);
  });
}
runner.once('error', (err) => {
  process.stderr.write(`[start] Could not run the platform: ${err.message}\n`);
  process.exit(1);
});
runner.once('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
