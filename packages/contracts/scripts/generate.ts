/**
 * Generates the TypeScript types, the precompiled ajv validators and the schema table of
 * `@ocp/contracts` from `proto-schemas/`, the one source of the contracts.
 * `--check` fails when the committed files differ from what the schemas give.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';
import { buildAsyncApi } from '../src/asyncapi.ts';
import { createAjv, loadSchemaFiles } from '../src/load.ts';

const root = fileURLToPath(new URL('../../../proto-schemas/', import.meta.url));
const out = fileURLToPath(new URL('../src/generated/', import.meta.url));
const asyncapiPath = fileURLToPath(new URL('../../../proto-schemas/asyncapi.json', import.meta.url));
const banner = '// Generated from proto-schemas/ by `pnpm gen`. Do not edit.\n';

const files = await loadSchemaFiles(root);

const declared = new Set<string>();
const chunks: string[] = [];
for (const file of files) {
  const ts = await compile(file.schema as never, String(file.schema.title), {
    bannerComment: '',
    cwd: `${root}${file.key.split('/')[0]}`,
    declareExternallyReferenced: true,
    additionalProperties: false,
    maxItems: -1,
    format: false,
    strictIndexSignatures: true,
  });
  // Each file is compiled alone, so shared declarations appear more than once: keep the first.
  for (const decl of ts.split(/\n(?=(?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?export )/)) {
    const name = /export (?:interface|type) (\w+)/.exec(decl)?.[1];
    if (!name || declared.has(name)) continue;
    declared.add(name);
    chunks.push(decl.trim());
  }
}
const types = `${banner}/* eslint-disable */\n\n${chunks.join('\n\n')}\n`;

const ajv = createAjv({ code: { source: true, esm: true } });
for (const file of files) ajv.addSchema(file.schema);
const names: Record<string, string> = {};
for (const file of files) names[file.key.replace(/[^a-zA-Z0-9]/g, '_')] = String(file.schema.$id);
const standalone = standaloneCode.default(ajv, names);
const validators = `${banner}// @ts-nocheck\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${standalone.replace('"use strict";', '')}\n`;

const table = `${banner}export const schemaFiles = ${JSON.stringify(
  Object.fromEntries(files.map((f) => [f.key, f.schema])),
  null,
  2,
)} as const;\n\nexport const validatorNames = ${JSON.stringify(
  Object.fromEntries(files.map((f) => [f.key, f.key.replace(/[^a-zA-Z0-9]/g, '_')])),
  null,
  2,
)} as const;\n`;

const asyncapi = `${JSON.stringify(buildAsyncApi(files), null, 2)}\n`;

/** The table of error codes, from the one schema that lists them with their HTTP status. */
function errorCodeTable(): string {
  const file = files.find((f) => f.key === 'common/error-code.v1');
  const entries = (file?.schema.oneOf ?? []) as Array<Record<string, unknown>>;
  if (entries.length === 0) throw new Error('common/error-code.v1.json lists no codes');
  const rows = entries.map((e) => {
    const { const: code, 'x-http-status': status, description } = e;
    if (typeof code !== 'string' || !Number.isInteger(status) || typeof description !== 'string')
      throw new Error(
        `common/error-code.v1.json: each code needs const, x-http-status and description (${JSON.stringify(e)})`,
      );
    return `  ${code}: { status: ${status}, description: ${JSON.stringify(description)} },`;
  });
  return `${banner}import type { ErrorCode } from './types.ts';

/** Every error code with its HTTP status and meaning (proto-schemas/common/error-code.v1.json). */
export const errorCodes = {
${rows.join('\n')}
} as const satisfies Record<ErrorCode, { status: number; description: string }>;
`;
}

const outputs: Array<[string, string]> = [
  [`${out}types.ts`, types],
  [`${out}validators.ts`, validators],
  [`${out}schemas.ts`, table],
  [`${out}error-codes.ts`, errorCodeTable()],
  [asyncapiPath, asyncapi],
];
if (process.argv.includes('--check')) {
  const stale: string[] = [];
  for (const [path, text] of outputs) {
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current !== text) stale.push(path);
  }
  if (stale.length > 0) {
    console.error(`Generated contracts are out of date; run \`pnpm gen\`:\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
} else {
  for (const [path, text] of outputs) await writeFile(path, text);
  console.log(`generated ${files.length} schemas into ${out} and ${asyncapiPath}`);
}
