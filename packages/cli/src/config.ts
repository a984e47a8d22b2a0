import { delimiter, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartError } from './errors.ts';

/** The repository root: services are started from here and the default data directory lives here. */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Everything the start command takes from its environment, parsed and checked once. */
export interface StartConfig {
  repoRoot: string;
  /** `OCP_DATA_DIR`: the embedded PostgreSQL cluster, its password and the NATS store live here. */
  dataDir: string;
  /** `OCP_POSTGRES_URL`: a server to use when it answers; otherwise an embedded one is started. */
  postgresUrl: string;
  /** `OCP_EMBEDDED_PG_PORT`: the port of the embedded PostgreSQL. */
  embeddedPostgresPort: number;
  /** `OCP_NATS_URL`: a server to use when it answers; otherwise a local nats-server is started. */
  natsUrl: string;
  /**
   * `OCP_NATS_SEEDS_DIR`: the services' NKEY seeds (`<service>.nk`) for a NATS server the start
   * command did not start; unset, the services connect to such a server without credentials. A
   * nats-server it starts has seeds of its own, made in `<dataDir>/nats-credentials`.
   */
  natsSeedsDir: string | undefined;
  /** `OCP_HTTP_PORT`: the gateway's port. */
  gatewayPort: number;
  /** `OCP_TENANT_HTTP_PORT`: the tenant service's port (health and metrics). */
  tenantPort: number;
  /** `OCP_AUDIT_HTTP_PORT`: the audit service's port (health and metrics). */
  auditPort: number;
  /** `OCP_BILLING_HTTP_PORT`: the billing service's port (health and metrics). */
  billingPort: number;
  /** `OCP_ROUTER_HTTP_PORT`: the router's port (health and metrics). */
  routerPort: number;
  /** `OCP_BACKUP_HTTP_PORT`: the backup service's port (health, metrics, and the downloads and imports the gateway streams through it). */
  backupPort: number;
  /** `OCP_QUOTA_HTTP_PORT`: the quota service's port (health and metrics). */
  quotaPort: number;
  /** `OCP_NOTIFIER_HTTP_PORT`: the notifier's port (health, metrics and Alertmanager's webhook). */
  notifierPort: number;
  /** `OCP_LOG_LEVEL`: handed to every service. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** The directories of `PATH` and the sbin directories, searched for nats-server and pg_dump. */
  searchPath: string[];
  /** The environment the services inherit, before their own variables are added. */
  childEnv: Record<string, string>;
}

/**
 * Where programs are looked for: the `PATH`, then the sbin directories, which a user's `PATH`
 * often lacks although Debian's nats-server package installs into /usr/sbin.
 */
export function searchPathOf(path: string | undefined): string[] {
  const dirs = (path ?? '').split(delimiter).filter((dir) => dir !== '');
  return [...new Set([...dirs, '/usr/local/sbin', '/usr/sbin', '/sbin'])];
}

/** A URL with its password replaced, fit for a log line. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Whether a host name is this machine, where the start command can start a server itself. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}

/**
 * Reads the environment once. Throws a `StartError` naming the variable and the fix when a value
 * cannot work.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const problems: string[] = [];

  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65_535) {
      problems.push(`${name}=${raw} is not a TCP port (1 to 65535).`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = env[name] || fallback;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
      }
    } catch {
      problems.push(`${name} is not a URL.`);
    }
    return raw;
  };

  const dataDirRaw = env.OCP_DATA_DIR || resolve(repoRoot, '.data');
  const logLevel = env.OCP_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel as StartConfig['logLevel'])) {
    problems.push(`OCP_LOG_LEVEL=${logLevel} is not one of ${LOG_LEVELS.join(', ')}.`);
  }

  const config: StartConfig = {
    repoRoot,
    dataDir: isAbsolute(dataDirRaw) ? dataDirRaw : resolve(dataDirRaw),
    postgresUrl: url('OCP_POSTGRES_URL', 'postgres://root@127.0.0.1:5432/postgres', [
      'postgres:',
      'postgresql:',
    ]),
    embeddedPostgresPort: port('OCP_EMBEDDED_PG_PORT', 54329),
    natsUrl: url('OCP_NATS_URL', 'nats://127.0.0.1:4222', ['nats:']),
    natsSeedsDir: env.OCP_NATS_SEEDS_DIR ? resolve(env.OCP_NATS_SEEDS_DIR) : undefined,
    gatewayPort: port('OCP_HTTP_PORT', 8080),
    tenantPort: port('OCP_TENANT_HTTP_PORT', 8081),
    auditPort: port('OCP_AUDIT_HTTP_PORT', 8082),
    billingPort: port('OCP_BILLING_HTTP_PORT', 8083),
    backupPort: port('OCP_BACKUP_HTTP_PORT', 8084),
    quotaPort: port('OCP_QUOTA_HTTP_PORT', 8085),
    routerPort: port('OCP_ROUTER_HTTP_PORT', 8086),
    notifierPort: port('OCP_NOTIFIER_HTTP_PORT', 8087),
    logLevel: logLevel as StartConfig['logLevel'],
    searchPath: searchPathOf(env.PATH),
    childEnv: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  };

  // Two of our own listeners on one port would leave one service crash-looping on EADDRINUSE.
  const ports = new Map<number, string[]>();
  const claim = (p: number, name: string) => ports.set(p, [...(ports.get(p) ?? []), name]);
  claim(config.gatewayPort, 'OCP_HTTP_PORT');
  claim(config.tenantPort, 'OCP_TENANT_HTTP_PORT');
  claim(config.auditPort, 'OCP_AUDIT_HTTP_PORT');
  claim(config.billingPort, 'OCP_BILLING_HTTP_PORT');
  claim(config.backupPort, 'OCP_BACKUP_HTTP_PORT');
  claim(config.quotaPort, 'OCP_QUOTA_HTTP_PORT');
  claim(config.routerPort, 'OCP_ROUTER_HTTP_PORT');
  claim(config.notifierPort, 'OCP_NOTIFIER_HTTP_PORT');
  claim(config.embeddedPostgresPort, 'OCP_EMBEDDED_PG_PORT');
  if (problems.length === 0) claim(Number(new URL(config.natsUrl).port || 4222), 'the port of OCP_NATS_URL');
  for (const [p, names] of ports) {
    if (names.length > 1) problems.push(`${names.join(' and ')} are both ${p}; give each its own port.`);
  }

  if (problems.length > 0) {
    throw new StartError('CLI_CONFIG_INVALID', `The environment cannot work:\n  ${problems.join('\n  ')}`);
  }
  return config;
}
