import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quoteIdent } from '@ocp/db';
import { adminQuery, urlFor, waitFor } from '@ocp/testkit';
import { createRuntimeRole, type OdooDouble, startOdooDouble } from '../../support/odoo-double/index.ts';
import type { Platform } from '../../support/platform.ts';
import { freshOdoo18, paddingSql, tablesIn } from './odoo-size.ts';

const TEMPLATE_SQL = new URL('../../../services/tenant/src/template/odoo-core.sql', import.meta.url);
/** A fresh Odoo 18.0 database's filestore: about 180 KB (see the recorded facts). */
const FRESH_FILESTORE_BYTES = 180 * 1024;
const FILE_BYTES = 4500;

/** The runtime the API side provisions on, and what its template holds. */
export interface BenchRuntime {
  id: string;
  /** The runtime's PostgreSQL role: it owns the template and every tenant database. */
  role: string;
  templateDatabase: string;
  template: { bytes: number; tables: number; files: number; fileBytes: number };
  close(): Promise<void>;
}

async function filesUnder(dir: string): Promise<{ files: number; bytes: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let files = 0;
  let bytes = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

/**
 * Registers an Odoo runtime through the API on the protocol double, whose every new database is
 * padded to a fresh Odoo 18.0 database's table count and size, waits for its template, and pads
 * the template's filestore directory to a fresh one's size (files as Odoo stores them,
 * `<2 hex>/<sha1>`). Everything it made goes with the platform's prefix, or with `close()`.
 */
export async function registerBenchRuntime(p: Platform, superuserUrl: string): Promise<BenchRuntime> {
  const builtIn = tablesIn(await readFile(TEMPLATE_SQL, 'utf8'));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ocp-bench-odoo-'));
  let odoo: OdooDouble | undefined;
  const close = async () => {
    await odoo?.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const filestore = path.join(dataDir, 'filestore');
    await mkdir(filestore, { recursive: true });
    const { role, url } = await createRuntimeRole(`${p.prefix}rt_bench`, superuserUrl);
    odoo = await startOdooDouble({
      databaseUrl: url,
      masterPassword: 'bench-master',
      dataDir,
      version: '18.0',
      extraSql: paddingSql(freshOdoo18(builtIn)),
    });
    const res = await p.api.call('POST', '/api/v1/runtimes', {
      name: 'bench',
      odooVersion: '18.0',
      rpcUrl: odoo.url,
      masterPassword: 'bench-master',
      dbRole: role,
      filestorePath: filestore,
    });
    if (res.status !== 201)
      throw new Error(`POST /api/v1/runtimes: ${res.status} ${JSON.stringify(res.body)}`);
    const id: string = res.body.runtime.id;
    const ready = await waitFor(
      'the runtime’s template',
      async () => {
        const { runtime } = (await p.api.call('GET', `/api/v1/runtimes/${id}`)).body;
        if (runtime.state === 'failed') throw new Error(`the template failed: ${runtime.templateError}`);
        return runtime.state === 'ready' ? runtime : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const templateDatabase: string = ready.templateDatabase;
    const dir = path.join(filestore, templateDatabase);
    const have = await filesUnder(dir);
    for (let i = 0; have.bytes < FRESH_FILESTORE_BYTES; i++) {
      const body = Buffer.from(`/* bench asset ${i} */ ${'x'.repeat(FILE_BYTES)}`);
      const sha1 = createHash('sha1').update(body).digest('hex');
      await mkdir(path.join(dir, sha1.slice(0, 2)), { recursive: true });
      await writeFile(path.join(dir, sha1.slice(0, 2), sha1), body);
      have.bytes += body.length;
      have.files++;
    }
    const [size] = (
      await adminQuery<{ bytes: string }>(
        'SELECT pg_database_size($1) AS bytes',
        [templateDatabase],
        superuserUrl,
      )
    ).rows;
    // The template takes no connections: its tables are counted in a clone of it.
    const probe = `${p.prefix}probe`;
    await adminQuery(
      `CREATE DATABASE ${quoteIdent(probe)} TEMPLATE ${quoteIdent(templateDatabase)}`,
      [],
      superuserUrl,
    );
    const [count] = (
      await adminQuery<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
        [],
        urlFor(probe, superuserUrl),
      )
    ).rows;
    await adminQuery(`DROP DATABASE ${quoteIdent(probe)}`, [], superuserUrl);
    return {
      id,
      role,
      templateDatabase,
      template: {
        bytes: Number(size?.bytes),
        tables: count?.n ?? 0,
        files: have.files,
        fileBytes: have.bytes,
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
