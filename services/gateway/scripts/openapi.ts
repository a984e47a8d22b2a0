/**
 * Writes the admin API's OpenAPI document, as the gateway serves it at `/docs/json`, to
 * `packages/api-client/openapi.json`, the client's types generated from it by openapi-typescript
 * to `packages/api-client/src/generated/schema.ts`, and the enumerations clients offer as choices to
 * `src/generated/enums.ts`. The gateway app is built without listening and without
 * touching its pool or bus, so this needs no database and no NATS. A test compares the files with
 * what the running gateway serves, so a route changed without running this fails the suite.
 *
 *   pnpm api:gen
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateClientFiles } from '../src/openapi-document.ts';

const out = (p: string) => fileURLToPath(new URL(`../../../packages/api-client/${p}`, import.meta.url));
const files = await generateClientFiles();
await writeFile(out('openapi.json'), files.document);
await writeFile(out('src/generated/schema.ts'), files.types);
await writeFile(out('src/generated/enums.ts'), files.enums);
console.log('wrote packages/api-client/openapi.json, src/generated/schema.ts and src/generated/enums.ts');
