/**
 * The exit codes of ocpctl: scripts may rely on them. Kept in one table so that the help text, the
 * README and the mapping of errors agree.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notLoggedIn: 3,
  forbidden: 4,
  notFound: 5,
  refused: 6,
  operationFailed: 7,
  unavailable: 8,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, in the order the help lists them. */
export const exitCodeMeanings: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.unexpected, 'unexpected error'],
  [ExitCode.usage, 'usage error: bad flags or arguments, or a destructive command not confirmed'],
  [ExitCode.notLoggedIn, 'not logged in, or the session or token was refused (401)'],
  [ExitCode.forbidden, 'forbidden: the account lacks the permission (403)'],
  [ExitCode.notFound, 'not found (404)'],
  [ExitCode.refused, 'refused by the API (other 4xx: validation, conflict, state)'],
  [ExitCode.operationFailed, 'the operation watched (--wait, operations watch) failed'],
  [ExitCode.unavailable, 'the API is unreachable or answered 5xx'],
  [ExitCode.interrupted, 'interrupted (Ctrl-C)'],
];

/** The exit codes as a help section. */
export function exitCodesHelp(): string {
  const lines = exitCodeMeanings.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`);
  return `Exit codes:\n${lines.join('\n')}`;
}
