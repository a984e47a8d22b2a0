/**
 * The checks every value passes before it is written into the NGINX configuration. The values come
 * from the tenant service, and its schemas already bound them, but the router treats them as
 * untrusted: a value that would not be one token of NGINX's syntax (a quote, a brace, a semicolon,
 * a `$`, white space) or that is not what it claims to be is left out, never escaped.
 */

/** Longest host name DNS carries. */
const MAX_HOST = 253;
/** One DNS label: letters, digits, hyphens inside, underscores (service names use them). */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * A host name as NGINX compares it with `$host` (lowercase, no port, no trailing dot), or
 * undefined when the value is none. IP addresses pass as names of dotted digits; wildcards do not.
 */
export function hostName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const host = value.toLowerCase();
  if (host.length === 0 || host.length > MAX_HOST) return undefined;
  const labels = host.split('.');
  return labels.every((l) => LABEL.test(l)) ? host : undefined;
}

/**
 * A database name Odoo's dbfilter can match literally: the router sends `^<name>$` as a regular
 * expression, so only characters that mean themselves in one are allowed (no dot), and PostgreSQL's
 * 63-byte limit.
 */
const DATABASE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;

export function databaseName(value: unknown): string | undefined {
  return typeof value === 'string' && DATABASE.test(value) ? value : undefined;
}

/** `host:port` of an upstream server: a host name, an IPv4 address or a bracketed IPv6 address. */
export function hostPort(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\[[0-9a-fA-F:.]{2,45}\]|[^:[\]]+):([0-9]{1,5})$/.exec(value);
  if (!m) return undefined;
  const [, host = '', portText = ''] = m;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (host.startsWith('[')) return `${host.toLowerCase()}:${port}`;
  const name = hostName(host);
  return name ? `${name}:${port}` : undefined;
}
