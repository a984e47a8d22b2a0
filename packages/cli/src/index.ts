export {
  isLoopbackHost,
  loadConfig,
  redactUrl,
  repoRoot,
  type StartConfig,
  searchPathOf,
} from './config.ts';
export {
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { StartError, type StartErrorCode } from './errors.ts';
export {
  createLog,
  type LineSplitter,
  type Log,
  type LogFormat,
  type LogOptions,
  logFormatFor,
  pipeLines,
  splitLines,
} from './log.ts';
export { type EnsureNatsOptions, ensureNats, findOnPath, type NatsHandle } from './nats.ts';
export { createPlatform, type Platform, type PlatformOptions } from './platform.ts';
export {
  databaseUrl,
  type EnsurePostgresOptions,
  ensureDatabases,
  ensurePostgres,
  type PostgresHandle,
  probePostgres,
} from './postgres.ts';
export {
  ensureRoles,
  type PostgresRoles,
  type ServiceRoles,
  type ServiceUrls,
  scramVerifier,
  serviceRoles,
  TENANT_ADMIN_ROLE,
} from './postgres-roles.ts';
export {
  type EnsurePrerequisitesOptions,
  ensurePrerequisites,
  findPgDump,
  type InstallPlan,
  type InstallProbes,
  KUBECTL,
  NATS_SERVER,
  NGINX,
  POSTGRES_CLIENT,
  POSTGRES_LIB_DIR,
  PROMTOOL,
  type Prerequisite,
  planInstall,
  probeInstall,
} from './prerequisites.ts';
export { readOrCreateSecret, readSecret, writeNewSecret } from './secret-file.ts';
export {
  auditCheckpointKey,
  backupStorage,
  type Endpoints,
  publicUrl,
  SERVICE_DATABASES,
  SERVICES,
  type ServiceBuild,
  serviceSpecs,
  tenantSecretsKey,
} from './services.ts';
export {
  type BackoffOptions,
  type ChildSpec,
  type SupervisedChild,
  stopProcess,
  supervise,
} from './supervisor.ts';
export { answersOk, canConnect, type WaitOptions, waitUntil } from './wait.ts';
