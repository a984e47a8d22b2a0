import { ApiProblemError, type Problem } from '@ocp/api-client';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.ts';

/** An error of ocpctl itself, carrying the exit code it ends the program with. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad flags or arguments, or a destructive command that was not confirmed. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.usage, 'CLI_USAGE');
  }
}

/** No token to call the API with. */
export class NotLoggedInError extends CliError {
  override name = 'NotLoggedInError';
  constructor(message = 'not logged in: run `ocpctl login`, or set OCP_TOKEN') {
    super(message, ExitCode.notLoggedIn, 'CLI_NOT_LOGGED_IN');
  }
}

/** The API could not be reached (connection refused, DNS, TLS, timeout). */
export class ApiUnreachableError extends CliError {
  override name = 'ApiUnreachableError';
  constructor(url: string, cause: unknown) {
    const why = describeCause(cause);
    super(
      `the API at ${url} is unreachable${why ? `: ${why}` : ''}`,
      ExitCode.unavailable,
      'CLI_UNREACHABLE',
      {
        cause,
      },
    );
  }
}

/** A watched operation ended in failure. */
export class OperationFailedError extends CliError {
  override name = 'OperationFailedError';
  constructor(readonly operation: { id: string; kind: string; error: string | null }) {
    super(
      `operation ${operation.id} (${operation.kind}) failed: ${operation.error ?? 'no reason given'}`,
      ExitCode.operationFailed,
      'CLI_OPERATION_FAILED',
    );
  }
}

/** Ctrl-C, or a prompt ended without an answer. */
export class InterruptedError extends CliError {
  override name = 'InterruptedError';
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted, 'CLI_INTERRUPTED');
  }
}

/** A local configuration problem (the config file's permissions, an unreadable file). */
export class ConfigError extends CliError {
  override name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.unexpected, 'CLI_CONFIG', options);
  }
}

function describeCause(cause: unknown): string {
  let e = cause;
  // fetch wraps the socket's error: the innermost one names it (ECONNREFUSED, ENOTFOUND).
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof Error) return 'code' in e && typeof e.code === 'string' ? e.code : e.message;
  return '';
}

/** The exit code an error ends the program with. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ApiProblemError) {
    if (err.status === 401) return ExitCode.notLoggedIn;
    if (err.status === 403) return ExitCode.forbidden;
    if (err.status === 404) return ExitCode.notFound;
    if (err.status >= 400 && err.status < 500) return ExitCode.refused;
    return ExitCode.unavailable;
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof Error && err.name === 'AbortError') return ExitCode.interrupted;
  return ExitCode.unexpected;
}

/** The problem object an error is reported as with `--output json`: the API's own, or one made alike. */
export function problemOf(err: unknown): Problem & { exitCode: number } {
  const exitCode = exitCodeOf(err);
  if (err instanceof ApiProblemError) return { ...err.problem, exitCode };
  const code = err instanceof CliError ? err.code : err instanceof CommanderError ? 'CLI_USAGE' : 'CLI_ERROR';
  const title = err instanceof CliError ? err.name : exitCode === ExitCode.usage ? 'UsageError' : 'Error';
  return { type: 'about:blank', title, status: 0, detail: messageOf(err), code, exitCode };
}

/** The one line an error is reported as on stderr: the problem's detail, and its field when it has one. */
export function errorLine(err: unknown): string {
  if (err instanceof ApiProblemError) {
    const { detail, title, field, code } = err.problem;
    const fieldNote = field && !(detail ?? '').includes(field) ? ` (${field})` : '';
    return `error: ${detail || title}${fieldNote}${code ? ` [${code}]` : ''}`;
  }
  return `error: ${messageOf(err)}`;
}

function messageOf(err: unknown): string {
  if (err instanceof CommanderError) return err.message.replace(/^error: /, '');
  if (err instanceof Error) return err.message;
  return String(err);
}
