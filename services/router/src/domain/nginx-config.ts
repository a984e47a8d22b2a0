import { createHash } from 'node:crypto';
import type { HostEntry } from './route-plan.ts';

/** Where NGINX listens and what it serves besides the tenants, from the router's settings. */
export interface SiteSettings {
  /** `listen` of plain HTTP: a port, or `address:port`. */
  httpListen: string;
  /** `listen ... ssl`, when TLS is configured. */
  tls?: {
    listen: string;
    /** The default certificate and key (a wildcard of the tenants' domain, typically). */
    certificate: string;
    certificateKey: string;
    /**
     * A certificate of its own for these hosts (custom domains), at `<dir>/<host>.crt` and
     * `<dir>/<host>.key`; any other host gets the default.
     */
    perHost?: { dir: string; hosts: readonly string[] };
  };
  /** The control plane's host: `/api/`, `/admin/`, `/webhooks/` and `/docs` go to the gateway. */
  controlHost?: string;
  /** `host:port` of the gateway. */
  gatewayUpstream: string;
  /** The directory holding `suspended.html` and `unavailable.html`. */
  pagesDir: string;
  /**
   * DNS servers NGINX asks for the runtimes' host names at request time. Without, each runtime is
   * an `upstream` block, resolved when NGINX loads the configuration: a name that does not resolve
   * then fails the whole reload (NGINX keeps the previous configuration).
   */
  resolver?: string;
}

/** Upstream block names: stable for an address, one token of NGINX's syntax. */
function upstreamName(kind: 'http' | 'ws', address: string): string {
  return `ocp_${kind}_${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}

/** A value for the configuration: every caller passes a checked name, so quotes suffice. */
const q = (value: string) => `"${value}"`;

function map(source: string, target: string, fallback: string, rows: Array<[string, string]>): string {
  const lines = rows.map(([k, v]) => `    ${q(k)} ${q(v)};`);
  return [`map ${source} ${target} {`, `    default ${q(fallback)};`, ...lines, '}'].join('\n');
}

function upstream(name: string, address: string, keepalive: number): string {
  return [`upstream ${name} {`, `    server ${address};`, `    keepalive ${keepalive};`, '}'].join('\n');
}

/** Headers Odoo reads behind a proxy (`proxy_mode = True`). */
const FORWARDED = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Forwarded-Host $host;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Real-IP $remote_addr;',
];

const indent = (lines: readonly string[], depth: number) =>
  lines.map((l) => (l === '' ? l : `${'    '.repeat(depth)}${l}`));

function listens(site: SiteSettings, extra: string): string[] {
  return [
    `listen ${site.httpListen}${extra};`,
    ...(site.tls ? [`listen ${site.tls.listen} ssl${extra};`] : []),
  ];
}

function tlsLines(site: SiteSettings, perHost: boolean): string[] {
  if (!site.tls) return [];
  return perHost && site.tls.perHost
    ? ['ssl_certificate $ocp_tls_certificate;', 'ssl_certificate_key $ocp_tls_certificate_key;']
    : [`ssl_certificate ${q(site.tls.certificate)};`, `ssl_certificate_key ${q(site.tls.certificateKey)};`];
}

function tenantServer(site: SiteSettings): string {
  const toOdoo = [
    ...FORWARDED,
    // dbfilter_from_header: Odoo serves this host the one database the expression matches.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: NGINX's own ${variable} syntax.
    'proxy_set_header X-Odoo-dbfilter "^${ocp_database}${ocp_dollar}";',
    'proxy_http_version 1.1;',
  ];
  const body = [
    ...listens(site, ' default_server'),
    'server_name _;',
    ...tlsLines(site, true),
    '',
    ...(site.resolver ? [`resolver ${site.resolver} valid=30s;`, 'resolver_timeout 5s;', ''] : []),
    "# A host no tenant has is nobody's; a tenant not active, or on no runtime, is answered here.",
    'error_page 503 @ocp_unavailable;',
    'if ($ocp_state = "") { return 404; }',
    'if ($ocp_state != "active") { return 503; }',
    'if ($ocp_upstream_http = "") { return 503; }',
    '',
    'location / {',
    ...indent([...toOdoo, 'proxy_set_header Connection "";', 'proxy_pass http://$ocp_upstream_http;'], 1),
    '}',
    '',
    "# Odoo's database manager and its XML-RPC db service are the platform's, never a tenant's.",
    'location ^~ /web/database/ { return 404; }',
    'location ~ ^/xmlrpc/(2/)?db$ { return 404; }',
    '',
    "# Odoo's gevent port: the bus over websockets (and long polling before Odoo 16).",
    'location /websocket {',
    ...indent(
      [
        ...toOdoo,
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $ocp_connection_upgrade;',
        'proxy_read_timeout 3600s;',
        'proxy_send_timeout 3600s;',
        'proxy_pass http://$ocp_upstream_websocket;',
      ],
      1,
    ),
    '}',
    'location /longpolling/ {',
    ...indent(
      [
        ...toOdoo,
        'proxy_set_header Connection "";',
        'proxy_read_timeout 3600s;',
        'proxy_pass http://$ocp_upstream_websocket;',
      ],
      1,
    ),
    '}',
    '',
    'location @ocp_unavailable {',
    ...indent(
      [
        `root ${q(site.pagesDir)};`,
        'default_type text/html;',
        'add_header Cache-Control "no-store" always;',
        'add_header Retry-After "300" always;',
        'try_files /$ocp_unavailable_page =503;',
      ],
      1,
    ),
    '}',
  ];
  return ['server {', ...indent(body, 1), '}'].join('\n');
}

function controlServer(site: SiteSettings, host: string): string {
  const toGateway = [...FORWARDED, 'proxy_http_version 1.1;', 'proxy_set_header Connection "";'];
  const body = [
    ...listens(site, ''),
    `server_name ${q(host)};`,
    ...tlsLines(site, false),
    '',
    'location = / { return 302 /admin/; }',
    'location ~ ^/(admin|webhooks|docs)(/|$) {',
    ...indent([...toGateway, 'proxy_pass http://ocp_gateway;'], 1),
    '}',
    '# The live events (Server-Sent Events) are read as they come, for as long as they last.',
    'location /api/ {',
    ...indent(
      [...toGateway, 'proxy_buffering off;', 'proxy_read_timeout 3600s;', 'proxy_pass http://ocp_gateway;'],
      1,
    ),
    '}',
    'location / { return 404; }',
  ];
  return ['server {', ...indent(body, 1), '}'].join('\n');
}

/**
 * The configuration NGINX includes in its `http` block: the maps from `$host` to each tenant's
 * state, database and upstreams, one upstream block per runtime address, the tenants' server (the
 * default server: any host not named elsewhere) and the control plane's. The same hosts and
 * settings always give the same text, so an unchanged table is never written again.
 */
export function renderNginxConfig(hosts: readonly HostEntry[], site: SiteSettings): string {
  const httpUpstreams = new Map<string, string>();
  const wsUpstreams = new Map<string, string>();
  // With a resolver, a runtime is named by its address and resolved per request (no block).
  const named = (kind: 'http' | 'ws', address: string) =>
    site.resolver ? address : upstreamName(kind, address);
  for (const h of hosts) {
    if (!h.upstream) continue;
    httpUpstreams.set(h.upstream.http, named('http', h.upstream.http));
    wsUpstreams.set(h.upstream.websocket, named('ws', h.upstream.websocket));
  }
  const byHost = (value: (h: HostEntry) => string | undefined) =>
    hosts.flatMap((h): Array<[string, string]> => {
      const v = value(h);
      return v === undefined ? [] : [[h.host, v]];
    });
  const sections = [
    "# Rendered by the router service from the tenant service's routes. It is replaced whenever a",
    "# route changes: do not edit it, change the tenant (or the router's settings) instead.",
    `# ${hosts.length} hosts, ${httpUpstreams.size} runtimes.`,
    '',
    'map_hash_max_size 262144;',
    'map_hash_bucket_size 256;',
    'server_names_hash_bucket_size 256;',
    '',
    '# A literal "$" (a geo value is not parsed for variables, as a map value would be).',
    'geo $ocp_dollar { default "$"; }',
    'map $http_upgrade $ocp_connection_upgrade { default upgrade; "" close; }',
    '',
    map(
      '$host',
      '$ocp_state',
      '',
      byHost((h) => h.state),
    ),
    map(
      '$host',
      '$ocp_database',
      '',
      byHost((h) => h.database),
    ),
    map(
      '$host',
      '$ocp_upstream_http',
      '',
      byHost((h) => h.upstream && httpUpstreams.get(h.upstream.http)),
    ),
    map(
      '$host',
      '$ocp_upstream_websocket',
      '',
      byHost((h) => h.upstream && wsUpstreams.get(h.upstream.websocket)),
    ),
    map('$ocp_state', '$ocp_unavailable_page', 'unavailable.html', [['suspended', 'suspended.html']]),
  ];
  const perHost = site.tls?.perHost;
  if (site.tls && perHost) {
    const own = perHost.hosts.filter((h) => hosts.some((e) => e.host === h)).sort();
    sections.push(
      map(
        '$ssl_server_name',
        '$ocp_tls_certificate',
        site.tls.certificate,
        own.map((h) => [h, `${perHost.dir}/${h}.crt`]),
      ),
      map(
        '$ssl_server_name',
        '$ocp_tls_certificate_key',
        site.tls.certificateKey,
        own.map((h) => [h, `${perHost.dir}/${h}.key`]),
      ),
    );
  }
  sections.push('', upstream('ocp_gateway', site.gatewayUpstream, 8));
  const blocks = (m: Map<string, string>) =>
    site.resolver ? [] : [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [address, name] of blocks(httpUpstreams)) sections.push(upstream(name, address, 32));
  // Websockets hold their connection for their whole life: no idle pool to keep.
  for (const [address, name] of blocks(wsUpstreams))
    sections.push([`upstream ${name} {`, `    server ${address};`, '}'].join('\n'));
  sections.push('', tenantServer(site));
  if (site.controlHost) sections.push('', controlServer(site, site.controlHost));
  return `${sections.join('\n')}\n`;
}
