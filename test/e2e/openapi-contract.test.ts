import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { generateClientFiles } from '@ocp/gateway/openapi';
import { createLogger } from '@ocp/service-kit';
import openapiTS, { astToString } from 'openapi-typescript';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';

const run = promisify(execFile);
const redocly = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  (createRequire(import.meta.url)('@redocly/cli/package.json') as { bin: { redocly: string } }).bin.redocly,
);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;

/** Every `$ref` of the document that does not point at something in it. */
function danglingRefs(doc: unknown): string[] {
  const out: string[] = [];
  const resolve = (ref: string) =>
    ref
      .slice(2)
      .split('/')
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && (!x.startsWith('#/') || resolve(x) === undefined))
          out.push(x);
        else walk(x);
      }
  };
  walk(doc);
  return out;
}

describe('the OpenAPI document of the admin API', () => {
  let env: PlatformEnv;
  let gateway: Gateway;
  let dir: string;
  let doc: Doc;
  let path: string;

  before(async () => {
    env = await preparePlatform();
    const cfg = gatewayConfig(env.gatewayEnv);
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    const res = await fetch(`${gateway.url}/docs/json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Doc;
    dir = await mkdtemp(join(tmpdir(), 'ocp-openapi-'));
    path = join(dir, 'openapi.json');
    await writeFile(path, JSON.stringify(doc, null, 2));
  });
  after(async () => {
    await gateway?.close();
    await env?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every $ref of the document resolves inside it', () => {
    assert.deepEqual(danglingRefs(doc), []);
  });

  test('every operation has a unique operationId and answers its 4xx statuses as application/problem+json', () => {
    const ids: string[] = [];
    for (const [p, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const route = `${method.toUpperCase()} ${p}`;
        assert.match(String(op.operationId), /^[a-z][A-Za-z0-9]+$/, `${route} has an operationId`);
        ids.push(String(op.operationId));
        const clientErrors = Object.keys(op.responses).filter((s) => /^4\d\d$/.test(s));
        assert.ok(clientErrors.includes('400'), `${route} declares 400`);
        if (op.operationId !== 'authLogin') assert.ok(clientErrors.includes('401'), `${route} declares 401`);
        for (const status of clientErrors)
          assert.ok(
            op.responses[status]?.content?.['application/problem+json'],
            `${route} answers ${status} as application/problem+json`,
          );
        if (p.includes('{')) assert.ok(clientErrors.includes('404'), `${route} declares 404`);
      }
    assert.equal(new Set(ids).size, ids.length, `operationIds are unique: ${ids.join(', ')}`);
  });

  test('a backup download answers a binary zip, and an import takes one as its body', () => {
    const download = doc.paths['/api/v1/backups/{backup}/download']?.get as unknown as {
      responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    };
    assert.deepEqual(download.responses['200']?.content?.['application/zip']?.schema, {
      type: 'string',
      format: 'binary',
    });
    const upload = doc.paths['/api/v1/tenants/import']?.post as unknown as {
      requestBody?: { content: Record<string, { schema?: { type?: string; format?: string } }> };
      responses: Record<string, unknown>;
    };
    const types = Object.keys(upload.requestBody?.content ?? {});
    assert.deepEqual(types.sort(), ['application/octet-stream', 'application/zip']);
    for (const t of types) assert.equal(upload.requestBody?.content[t]?.schema?.format, 'binary', t);
    assert.ok(upload.responses['201'] && upload.responses['413'] && upload.responses['422']);
  });

  test('Redocly CLI lints the document without an error', async () => {
    const lint = await run(process.execPath, [redocly, 'lint', path, '--format=json'], {
      cwd: dir,
      maxBuffer: 10 * 1024 * 1024,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((e: { stdout?: string; stderr?: string; code?: number }) => e);
    const report = JSON.parse(String(lint.stdout)) as {
      totals: { errors: number };
      problems: Array<{
        ruleId: string;
        severity: string;
        message: string;
        location: Array<{ pointer: string }>;
      }>;
    };
    const errors = report.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    assert.deepEqual(errors, []);
    assert.equal(report.totals.errors, 0);
  });

  test('openapi-typescript generates a client type for every operation from it', async () => {
    const ts = astToString(await openapiTS(new URL(`file://${path}`)));
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([, op]) => String(op.operationId)),
    );
    assert.ok(operations.length > 20);
    for (const id of operations) assert.match(ts, new RegExp(`\\b${id}: \\{`), `a type for ${id}`);
    assert.match(ts, /"application\/problem\+json": components\["schemas"\]\["Problem"\]/);
  });

  test('the committed client (packages/api-client) was generated from this document: run `pnpm api:gen` after changing a route', async () => {
    const committed = (name: string) =>
      readFile(new URL(`../../packages/api-client/${name}`, import.meta.url), 'utf8');
    const generated = await generateClientFiles();
    const served = JSON.parse(generated.document) as Doc;
    assert.deepEqual({ ...doc, servers: served.servers }, served, 'the served document is the generated one');
    // Not assert.equal: a diff of two 300 kB strings says less than the command to run.
    assert.ok(
      (await committed('openapi.json')) === generated.document,
      'openapi.json is stale: pnpm api:gen',
    );
    assert.ok(
      (await committed('src/generated/schema.ts')) === generated.types,
      'the client types are stale: pnpm api:gen',
    );
    assert.ok(
      (await committed('src/generated/enums.ts')) === generated.enums,
      'the client enumerations are stale: pnpm api:gen',
    );
  });
});
