/**
 * ocpctl's process: parses the arguments, runs the command, and turns what went wrong into one
 * line (or a problem object with --output json) on stderr and an exit code (exit-codes.ts).
 */
import { CommanderError } from 'commander';
import { errorLine, exitCodeOf, problemOf } from './errors.ts';
import { ExitCode } from './exit-codes.ts';
import { buildProgram } from './program.ts';

const interrupt = new AbortController();
// The first Ctrl-C stops requests and downloads (a partial file is removed); a second one, or a
// command that does not stop within 2 s, ends the process at once.
process.once('SIGINT', () => {
  interrupt.abort();
  process.once('SIGINT', () => process.exit(ExitCode.interrupted));
  setTimeout(() => process.exit(ExitCode.interrupted), 2000).unref();
});

// A reader that went away (`ocpctl tenants list --all | head -1`) ends the listing quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  throw err;
});

const program = buildProgram({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = interrupt.signal.aborted ? ExitCode.interrupted : exitCodeOf(err);
  // Help asked for, or shown because a command was missing, has been written already.
  const written =
    err instanceof CommanderError &&
    ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
  if (!written) {
    const { output } = program.opts<{ output?: string }>();
    const json = output ? output === 'json' : !process.stdout.isTTY;
    process.stderr.write(json ? `${JSON.stringify(problemOf(err))}\n` : `${errorLine(err)}\n`);
    if (code === ExitCode.unexpected && !json && process.env.OCPCTL_DEBUG && err instanceof Error)
      process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = code;
}
