import { Readable } from 'node:stream';
import { createAjv } from '@ocp/contracts';
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';

/**
 * The request validators of every route, one rule per part of the request:
 *
 * - A JSON body is checked as it came, never coerced: a string where the schema declares a number
 *   (`"expiresInDays": "Infinity"`) is a 400, as is a number JSON cannot hold finitely (`1e309`).
 * - The query string, path parameters and headers are text, so declared numbers are parsed from it,
 *   strictly: only a plain decimal integer (`50`, `-3`) becomes an integer. ajv's own coercion takes
 *   whatever `Number()` takes, so `Infinity`, `1e309` and `0x10` passed `type: integer` and
 *   `maximum` and reached SQL as numbers; here they are a 400 naming `querystring/<name>`.
 *
 * Given to fastify as `schemaController.compilersFactory.buildValidator`, so it covers every route,
 * with the schemas added by `addSchema` (`$ref` targets) in both ajv instances.
 */

/** Longest run of digits taken: past 15, a JavaScript number is no longer exact. */
const PLAIN_INTEGER = /^-?\d{1,15}$/;
const PLAIN_DECIMAL = /^-?\d{1,15}(\.\d{1,15})?$/;

/** The ajv settings shared by both parts: unknown fields refused, every problem reported at once. */
const common = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  verbose: true,
  // The `$ref` targets are added once; a route schema compiled is not kept by id.
  addUsedSchema: false,
} as const;

interface Issue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  message: string;
  params: Record<string, unknown>;
}

type JsonSchema = { type?: unknown; items?: unknown; properties?: Record<string, unknown> };

/** The text rule of a declared type: `integer` before `number`, since an integer is a number too. */
function textRule(schema: unknown): { re: RegExp; what: string } | undefined {
  const type = (schema as JsonSchema | undefined)?.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('string')) return undefined;
  if (types.includes('integer'))
    return { re: PLAIN_INTEGER, what: 'must be a plain decimal integer (digits only, like 50)' };
  if (types.includes('number'))
    return { re: PLAIN_DECIMAL, what: 'must be a plain decimal number (like 50 or 2.5)' };
  return undefined;
}

/** The declared numeric fields of a flat part schema, with the rule of each (arrays: of their items). */
function numericFields(schema: unknown): Map<string, { re: RegExp; what: string }> {
  const fields = new Map<string, { re: RegExp; what: string }>();
  const properties = (schema as JsonSchema | undefined)?.properties ?? {};
  for (const [name, prop] of Object.entries(properties)) {
    const rule = textRule(prop) ?? textRule((prop as JsonSchema | undefined)?.items);
    if (rule) fields.set(name, rule);
  }
  return fields;
}

/** The issues of declared numeric fields whose text is not a plain decimal number. */
function strictNumberIssues(data: unknown, fields: Map<string, { re: RegExp; what: string }>): Issue[] {
  if (!data || typeof data !== 'object' || fields.size === 0) return [];
  const issues: Issue[] = [];
  for (const [name, rule] of fields) {
    if (!Object.hasOwn(data, name)) continue;
    const value = (data as Record<string, unknown>)[name];
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((t) => typeof t === 'string' && !rule.re.test(t)))
      issues.push({
        keyword: 'type',
        instancePath: `/${name}`,
        schemaPath: `#/properties/${name}/type`,
        message: rule.what,
        params: {},
      });
  }
  return issues;
}

type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/** fastify's validator factory: one compiler for every route of the app. */
export function buildValidator(externalSchemas: unknown): FastifySchemaCompiler<FastifySchema> {
  const body = createAjv({ ...common, coerceTypes: false });
  const text = createAjv({ ...common, coerceTypes: 'array' });
  for (const schema of Object.values((externalSchemas ?? {}) as Record<string, object>)) {
    body.addSchema(schema);
    text.addSchema(schema);
  }
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return body.compile(schema as object);
    const validate = text.compile(schema as object);
    const fields = numericFields(schema);
    const strict: Validator = (data) => {
      const issues = strictNumberIssues(data, fields);
      if (issues.length) {
        strict.errors = issues;
        return false;
      }
      const ok = validate(data);
      strict.errors = validate.errors ?? null;
      return ok;
    };
    return strict;
  };
}

/** Deepest nesting of objects and arrays a request may carry; no route's schema goes past 8. */
export const MAX_DEPTH = 32;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot be taken, or undefined. */
function refusedString(text: string): string | undefined {
  if (text.includes('\u0000')) return 'text must not contain NUL characters (\\u0000)';
  // PostgreSQL refuses it in jsonb, and node-postgres silently writes U+FFFD for it in text.
  if (LONE_SURROGATE.test(text))
    return 'text must be well-formed Unicode: a lone UTF-16 surrogate (\\ud800 to \\udfff) is not a character';
  return undefined;
}

/**
 * What no route takes in any part of a request, whatever its schema: a NUL character or a lone
 * surrogate (PostgreSQL cannot store them as sent) and nesting deeper than `MAX_DEPTH` (a walk over
 * it would overflow the stack). Walked without recursion; the sentence says what was wrong, or
 * undefined when all is well.
 */
export function refusedText(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string') {
      const refused = refusedString(v);
      if (refused) return refused;
      continue;
    }
    // A raw webhook body is verified and forwarded byte for byte, never stored as text here; an
    // uploaded zip is a stream passed through to the backup service, never read here.
    if (!v || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Readable) continue;
    if (depth >= MAX_DEPTH) return `the request nests objects or arrays deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else
      for (const [k, x] of Object.entries(v)) {
        const refused = refusedString(k);
        if (refused) return refused;
        stack.push([x, depth + 1]);
      }
  }
  return undefined;
}
