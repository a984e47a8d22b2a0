/**
 * Hostile inputs for the property-based suite: values that have broken parsers, validators and
 * databases elsewhere, and the requests of a route made from its OpenAPI operation, so a new route
 * is covered without a test of its own.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Runs of each property: small in CI, `HOSTILE_RUNS=2000` by hand. */
export const RUNS = Math.max(1, Number(process.env.HOSTILE_RUNS ?? 12) || 12);

/** Time a property test may take: enough for `RUNS` runs of its slowest input, and the platform. */
export const TIMEOUT_MS = 120_000 + RUNS * 2_000;

/** fast-check settings of every property: the seed is printed on a failure, to replay it. */
export const fcParams = (runs = RUNS): fc.Parameters<unknown> => ({
  numRuns: runs,
  ...(process.env.HOSTILE_SEED ? { seed: Number(process.env.HOSTILE_SEED) } : {}),
  endOnFailure: true,
});

/** Text that has broken something somewhere: SQL, shells, paths, encodings, prototypes. */
export const hostileStrings: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u0000',
  "'; DROP TABLE tenants; --",
  "' OR '1'='1",
  '" OR ""="',
  '$(touch /tmp/pwned)',
  '`id`',
  '; rm -rf / #',
  '| cat /etc/passwd',
  '../../../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  'prototype',
  'Infinity',
  '-Infinity',
  'NaN',
  '1e309',
  '0x10',
  '-1',
  '9007199254740993',
  'null',
  'true',
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '\r\nSet-Cookie: x=1',
  'ǅ𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🦄',
];

/** Numbers and other JSON written as text, so what JSON.parse makes of them is tested too. */
export const hostileJsonFragments: readonly string[] = [
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '-0',
  '1.5',
  '0',
  '-1',
  '2147483648',
  'null',
  'true',
  'false',
  '[]',
  '{}',
  '""',
  '"Infinity"',
  '"1e309"',
  '"0x10"',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud800"',
  '"\\udc00x"',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
];

/** A fragment of JSON text, hostile or a JSON string of a hostile text. */
export const jsonFragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileJsonFragments),
  fc.constantFrom(...hostileStrings).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.integer({ min: 1, max: 12 }).map((n) => `"${'x'.repeat(10 ** Math.min(n, 6) / 2)}"`),
  fc.integer({ min: 100, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 100, max: 3000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
);

/** Text for a query string or header value: hostile, random, or long. */
export const textValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Percent-encodes text for a URL, lone surrogates as the UTF-8 bytes of their code (invalid UTF-8). */
export function encodeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff)
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** A header value fetch can send (latin-1, no control characters), from a hostile text. */
export const headerSafe = (text: string): string =>
  text.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?').slice(0, 8000);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body?: Schema;
}

/** Every operation of an OpenAPI document, in a stable order. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as {
        operationId?: string;
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      };
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        parameters: op.parameters ?? [],
        ...(body ? { body } : {}),
      });
    }
  }
  return ops.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** A request made for an operation. */
export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A plausible value of a schema, as JSON text, so that one hostile field is not hidden by another. */
function plausible(schema: Schema | undefined): string {
  if (schema?.enum?.length) return JSON.stringify(schema.enum[0]);
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (type === 'integer' || type === 'number') return '1';
  if (type === 'boolean') return 'true';
  if (type === 'array') return '[]';
  if (type === 'object') return '{}';
  return '"plausible"';
}

/** A JSON body as text: each declared field plausible or hostile, and hostile extra keys. */
function bodyText(schema: Schema): fc.Arbitrary<string> {
  const props = Object.entries(schema.properties ?? {});
  const field = (s: Schema | undefined) =>
    fc.oneof({ weight: 1, arbitrary: fc.constant(plausible(s)) }, { weight: 3, arbitrary: jsonFragment });
  const extraKeys = fc.subarray([
    '__proto__',
    'constructor',
    'prototype',
    '\u0000',
    '$where',
    'x'.repeat(300),
  ]);
  return fc.oneof(
    // An object of the declared fields, some hostile, with extra keys.
    fc
      .tuple(
        fc.tuple(...props.map(([name, s]) => fc.option(field(s).map((v) => `${JSON.stringify(name)}:${v}`)))),
        extraKeys.chain((keys) =>
          fc.tuple(...keys.map((k) => jsonFragment.map((v) => `${JSON.stringify(k)}:${v}`))),
        ),
      )
      .map(([fields, extras]) => `{${[...fields.filter((f) => f !== null), ...extras].join(',')}}`),
    // Not an object at all, or not JSON.
    jsonFragment,
    fc.constantFrom('{', '{"a":1,}', "{'a':1}", 'NaN', 'Infinity', '\u0000', '{"a":1}{"b":2}', ''),
  );
}

/** Requests for an operation: hostile path parameters, query, headers and body. */
export function requestsFor(op: Operation): fc.Arbitrary<HostileRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const path = fc.tuple(...pathParams.map(() => textValue)).map((values) => {
    let url = op.path;
    pathParams.forEach((p, i) => {
      url = url.replace(`{${p.name}}`, encodeText(values[i] || 'x'));
    });
    return url;
  });
  const query = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => fc.option(textValue.map((v) => [p.name, v] as const)))),
      fc.subarray(['__proto__', 'constructor', 'limit[]', 'a[b]', '\u0000']),
      fc.boolean(),
    )
    .map(([declared, extra, repeat]) => {
      const pairs = [
        ...declared.filter((d) => d !== null),
        ...extra.map((k) => [k, '1'] as const),
        // A declared name twice: an array where one value is declared.
        ...(repeat && queryParams[0] ? [[queryParams[0].name, '2'] as const] : []),
      ];
      return pairs.map(([k, v]) => `${encodeText(k)}=${encodeText(v)}`).join('&');
    });
  const headers = fc
    .tuple(...headerParams.map((p) => fc.option(textValue.map((v) => [p.name, headerSafe(v)] as const))))
    .map((hs) =>
      Object.fromEntries(hs.filter((h): h is readonly [string, string] => h !== null && h[1] !== '')),
    );
  const body =
    op.body || ['POST', 'PUT', 'PATCH'].includes(op.method)
      ? fc.option(bodyText(op.body ?? {}))
      : fc.constant(null);
  // Mostly JSON, as declared; sometimes a type the route does not take, or a hostile parameter.
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset="; DROP TABLE x; --"',
        `application/json; ${'x='.repeat(2000)}`,
        'application/merge-patch+json',
        '*/*',
      ),
    },
  );
  return fc
    .record({ path, query, headers, body, contentType })
    .map(({ path: p, query: q, headers: h, body: b, contentType: ct }) => {
      const req: HostileRequest = {
        method: op.method,
        url: q ? `${p}?${q}` : p,
        headers: { ...h, ...(b !== null ? { 'content-type': ct } : {}) },
        ...(b !== null ? { body: b } : {}),
      };
      // A counterexample is printed short: a 20 KB value would bury the failure.
      return Object.assign(req, { [fc.toStringMethod]: () => describe(req) });
    });
}

/** A request in one line of at most a few hundred characters. */
export function describe(req: HostileRequest): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${cut(v, 60)}`);
  return `${req.method} ${cut(req.url, 200)} [${headers.join('; ')}] ${cut(req.body ?? '', 200)}`;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends a request as raw text (the body is sent as it is, not made by JSON.stringify). */
export async function send(baseUrl: string, token: string, req: HostileRequest): Promise<Answer> {
  const res = await fetch(`${baseUrl}${req.url}`, {
    method: req.method,
    headers: { authorization: `Bearer ${token}`, ...req.headers },
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  const contentType = res.headers.get('content-type') ?? '';
  // An event stream never ends: its first frames are its answer (a hostile Last-Event-ID gets a reset).
  if (contentType.startsWith('text/event-stream') && res.body) {
    const reader = res.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    return { status: res.status, contentType, body: new TextDecoder().decode(first.value) };
  }
  return { status: res.status, contentType, body: await res.text() };
}

/**
 * What every answer to a hostile request must be: a 2xx (the input happened to be valid), or a 4xx
 * problem that says what was wrong. Never a 5xx.
 */
export function assertSound(req: HostileRequest, ans: Answer): void {
  const what = `${describe(req)} answered ${ans.status} ${ans.body.slice(0, 500)}`;
  assert.ok(ans.status < 500, `a 5xx: ${what}`);
  if (ans.status < 400) return;
  assert.match(ans.contentType, /^application\/problem\+json/, `not a problem: ${what}`);
  const problem = JSON.parse(ans.body) as Record<string, unknown>;
  assert.equal(problem.status, ans.status, what);
  assert.equal(typeof problem.detail, 'string', what);
  assert.ok(String(problem.detail).length > 0, `no detail: ${what}`);
  assert.match(String(problem.code), /^[A-Z][A-Z_]+$/, what);
}
