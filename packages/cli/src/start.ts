/**
 * `pnpm start`: runs the whole platform on this machine (see run-platform.ts) and prints where to
 * log in.
 *
 * A terminal's Ctrl-C signals every process of the foreground group at once, and PostgreSQL
 * answers SIGINT with a fast shutdown. So the platform runs in a session of its own, and this
 * process turns each signal into one SIGTERM for it, which stops the services first, then
 * nats-server, then PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './config.ts';

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
    runner.kill('SIGTERM');
  });
}
runner.once('error', (err) => {
  process.stderr.write(`[start] Could not run the platform: ${err.message}\n`);
  process.exit(1);
});
runner.once('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});
