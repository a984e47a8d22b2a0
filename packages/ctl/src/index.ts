/** ocpctl as a library: the command tree (for tests and for embedding) and its exit codes. */
export { commandTree } from './completion.ts';
export type { ConfigStore, StoredLogin } from './config-store.ts';
export { configDirOf, createConfigStore } from './config-store.ts';
export type { Io } from './context.ts';
export { exitCodeOf, problemOf } from './errors.ts';
export { ExitCode, exitCodeMeanings } from './exit-codes.ts';
export { buildProgram } from './program.ts';
