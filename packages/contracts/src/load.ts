import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';

/** One schema file of `proto-schemas/`, keyed by its path without `.json` (`events/tenant.created.v1`). */
export interface SchemaFile {
  key: string;
  schema: Record<string, unknown> & { $id: string; title: string; description?: string };
}

/** Reads every schema of `proto-schemas/` in a stable order. */
export async function loadSchemaFiles(root: string): Promise<SchemaFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile() && e.name.endsWith('.json') && e.name !== 'asyncapi.json')
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const files: SchemaFile[] = [];
  for (const path of paths) {
    const schema = JSON.parse(await readFile(path, 'utf8')) as SchemaFile['schema'];
    files.push({ key: relative(root, path).replace(/\.json$/, ''), schema });
  }
  return files;
}

/** The ajv settings every validator of the contracts is compiled with. */
export function createAjv(extra: Options = {}): Ajv.default {
  const ajv = new Ajv.default({ allErrors: true, strict: true, ...extra });
  addFormats.default(ajv);
  // An annotation of proto-schemas/common/error-code.v1.json: the HTTP status of each code.
  ajv.addKeyword({ keyword: 'x-http-status', schemaType: 'number' });
  return ajv;
}
