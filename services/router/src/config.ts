import { baseConfig, type ConfigOf, type ConfigSchema, loadConfig } from '@ocp/service-kit';
import { hostName, hostPort } from './domain/names.ts';

/** A path NGINX reads as one token: absolute, no quote, space, `;`, `$` or brace. */
const PATH_PATTERN = '^/[A-Za-z0-9._/+@=-]*$';
/** `listen` of NGINX: a port, or an IPv4 address or bracketed IPv6 address and a port. */
const LISTEN_PATTERN = '^(([0-9]{1,3}\\.){3}[0-9]{1,3}:|\\[[0-9a-fA-F:]+\\]:)?[0-9]{1,5}$';

/** The router keeps no data (no DATABASE_URL): what it knows is read back from the tenant service. */
export const configSchema = {
  type: 'object',
  properties: {
    ...baseConfig,
    HTTP_PORT: { ...baseConfig.HTTP_PORT, default: 8086 },
    ROUTER_OUTPUT_DIR: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description:
        'Where the rendered NGINX configuration is written (ocp-router.conf), the directory that deploy/nginx/nginx.conf includes.',
    },
    ROUTER_NGINX_PID_FILE: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description:
        "The NGINX master's pid file: it is sent SIGHUP after each render that changed the file. Unset: nothing is reloaded (NGINX reads the file when it starts).",
    },
    ROUTER_RESYNC_INTERVAL_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 86400000,
      default: 300000,
      description:
        "A full read of every tenant's route this often, besides the events: a change whose event was missed still arrives.",
    },
    ROUTER_RENDER_DEBOUNCE_MS: {
      type: 'integer',
      minimum: 0,
      maximum: 60000,
      default: 250,
      description: 'Changes coming within this long of each other are rendered (and NGINX reloaded) once.',
    },
    ROUTER_PAGE_SIZE: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 500,
      description: 'Routes asked for per request of a full read.',
    },
    ROUTER_RPC_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 5000,
      description: 'How long a request to the tenant service waits for its answer.',
    },
    ROUTER_LISTEN_HTTP: {
      type: 'string',
      pattern: LISTEN_PATTERN,
      default: '80',
      description: 'Where NGINX listens for plain HTTP: a port, or address:port.',
    },
    ROUTER_LISTEN_HTTPS: {
      type: 'string',
      pattern: LISTEN_PATTERN,
      default: '443',
      description: 'Where NGINX listens for HTTPS (only with ROUTER_TLS_CERTIFICATE).',
    },
    ROUTER_TLS_CERTIFICATE: {
      type: 'string',
      maxLength: 4096,
      pattern: PATH_PATTERN,
      description:
        "The default certificate (PEM, with its chain) NGINX presents, typically a wildcard of the tenants' domain. Unset: no HTTPS listener.",
    },
    ROUTER_TLS_CERTIFICATE_KEY: {
      type: 'string',
      maxLength: 4096,
      pattern: PATH_PATTERN,
      description: 'The private key of ROUTER_TLS_CERTIFICATE.',
    },
    ROUTER_TLS_CERTIFICATES_DIR: {
      type: 'string',
      maxLength: 4096,
      pattern: PATH_PATTERN,
      description:
        'Certificates of hosts of their own (custom domains): <dir>/<host>.crt and <dir>/<host>.key, presented by SNI; a host without both gets the default certificate. Looked at on every render.',
    },
    ROUTER_CONTROL_HOST: {
      type: 'string',
      maxLength: 253,
      description:
        "The control plane's host name: NGINX sends its /api/, /admin/, /webhooks/ and /docs to the gateway, and no tenant can claim it. Unset: no such server.",
    },
    ROUTER_GATEWAY_UPSTREAM: {
      type: 'string',
      maxLength: 300,
      default: '127.0.0.1:8080',
      description: 'host:port of the gateway, for the control host.',
    },
    ROUTER_RESOLVER: {
      type: 'string',
      maxLength: 300,
      pattern:
        '^(([0-9]{1,3}\\.){3}[0-9]{1,3}|\\[[0-9a-fA-F:]+\\])(:[0-9]{1,5})?( (([0-9]{1,3}\\.){3}[0-9]{1,3}|\\[[0-9a-fA-F:]+\\])(:[0-9]{1,5})?)*$',
      description:
        "DNS servers (space-separated addresses) NGINX resolves the runtimes' host names with, at request time (in Kubernetes the cluster DNS, e.g. kube-dns's service address). Unset: each runtime is an upstream block resolved when NGINX loads the configuration, where a name that does not resolve fails the reload.",
    },
    ROUTER_PAGES_DIR: {
      type: 'string',
      maxLength: 4096,
      pattern: PATH_PATTERN,
      default: '/usr/share/nginx/ocp',
      description:
        'Where NGINX finds suspended.html and unavailable.html (deploy/nginx/), the pages of a suspended tenant and of one being restored, moved or on no runtime.',
    },
  },
  required: ['ROUTER_OUTPUT_DIR'],
} as const satisfies ConfigSchema;

export type RouterConfig = ConfigOf<typeof configSchema>;

/** Checks across fields. */
export function checkConfig(c: RouterConfig): string[] {
  const problems: string[] = [];
  const port = (listen: string) => Number(listen.slice(listen.lastIndexOf(':') + 1));
  for (const [name, listen] of [
    ['ROUTER_LISTEN_HTTP', c.ROUTER_LISTEN_HTTP],
    ['ROUTER_LISTEN_HTTPS', c.ROUTER_LISTEN_HTTPS],
  ] as const) {
    const p = port(listen);
    if (!(p >= 1 && p <= 65535)) problems.push(`${name} must name a port from 1 to 65535, not ${listen}`);
  }
  if ((c.ROUTER_TLS_CERTIFICATE === undefined) !== (c.ROUTER_TLS_CERTIFICATE_KEY === undefined))
    problems.push(
      'ROUTER_TLS_CERTIFICATE and ROUTER_TLS_CERTIFICATE_KEY go together: NGINX cannot serve HTTPS with one alone',
    );
  if (c.ROUTER_TLS_CERTIFICATES_DIR !== undefined && c.ROUTER_TLS_CERTIFICATE === undefined)
    problems.push(
      'ROUTER_TLS_CERTIFICATES_DIR needs ROUTER_TLS_CERTIFICATE: a host without a certificate of its own is given the default one',
    );
  if (c.ROUTER_CONTROL_HOST !== undefined && hostName(c.ROUTER_CONTROL_HOST) === undefined)
    problems.push(
      `ROUTER_CONTROL_HOST must be a host name (no port, no scheme), not ${c.ROUTER_CONTROL_HOST}`,
    );
  if (hostPort(c.ROUTER_GATEWAY_UPSTREAM) === undefined)
    problems.push(`ROUTER_GATEWAY_UPSTREAM must be host:port, not ${c.ROUTER_GATEWAY_UPSTREAM}`);
  return problems;
}

/** The router's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): RouterConfig {
  return loadConfig<RouterConfig>(configSchema, env, checkConfig);
}
