import type { IncomingMessage } from 'node:http';

/**
 * Odoo's web pages as far as routing needs them: which database a request is served from. Odoo
 * picks it with `http.db_filter`, which the OCA module `dbfilter_from_header` (loaded through
 * `server_wide_modules`, with `proxy_mode = True`) narrows to the databases the request's
 * `X-Odoo-dbfilter` header matches with Python's `re.match` (anchored at the start only, so
 * `^name$` names one database). One database left: the page is served from it. None or several:
 * Odoo sends the browser to its database selector.
 */
export interface WebAnswer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `re.match(pattern, name)`: the expression must match at the start of the name. */
function reMatch(pattern: string, name: string): boolean {
  const re = new RegExp(pattern, 'y');
  return re.test(name);
}

/** The databases this request may be served from, as `dbfilter_from_header` narrows them. */
export function databasesFor(req: IncomingMessage, all: readonly string[]): string[] {
  const header = req.headers['x-odoo-dbfilter'];
  const pattern = Array.isArray(header) ? header[0] : header;
  if (!pattern) return [...all];
  return all.filter((db) => reMatch(pattern, db));
}

/**
 * A GET of a web page (`/web/login`, `/odoo`, ...): a page naming the database it is served from
 * (`data-database`), and what the proxy told about the request (`data-forwarded-host`,
 * `data-forwarded-proto`), for a test to read.
 */
export function webPage(req: IncomingMessage, all: readonly string[]): WebAnswer {
  let dbs: string[];
  try {
    dbs = databasesFor(req, all);
  } catch {
    // Python's re.error, uncaught by Odoo: an internal server error.
    return { status: 500, type: 'text/html', body: '<h1>Internal Server Error</h1>' };
  }
  if (dbs.length !== 1)
    return {
      status: 303,
      type: 'text/html',
      body: '',
      headers: { location: '/web/database/selector' },
    };
  const db = escapeHtml(dbs[0] as string);
  const forwardedHost = escapeHtml(String(req.headers['x-forwarded-host'] ?? ''));
  const forwardedProto = escapeHtml(String(req.headers['x-forwarded-proto'] ?? ''));
  return {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html><html data-database="${db}" data-forwarded-host="${forwardedHost}" data-forwarded-proto="${forwardedProto}"><head><title>Odoo</title></head><body><form class="oe_login_form" action="/web/login" method="post"></form></body></html>`,
  };
}
