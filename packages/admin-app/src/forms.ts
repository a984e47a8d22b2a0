import { type OutputUnit, type Schema, Validator } from '@cfworker/json-schema';
import type { paths } from '@ocp/api-client';
import openapi from '@ocp/api-client/openapi.json';
import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { ApiProblemError, type Problem } from './api.ts';

/**
 * Forms checked against the API's own request schemas, taken from the gateway's OpenAPI document:
 * what the browser refuses is exactly what the API would refuse, with the API's own wording
 * (its `description` of a field says what a valid value looks like). @cfworker/json-schema
 * validates without `eval`, which the page's CSP forbids (ajv compiles to code).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Method = 'post' | 'put' | 'patch';

/** A path of the API that takes a JSON body with `method`. */
export type BodyPath<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { requestBody?: { content: { 'application/json': unknown } } }
    ? P
    : never;
}[keyof paths];

/** The JSON body `method path` takes. */
export type BodyOf<M extends Method, P extends keyof paths> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? NonNullable<B>
  : never;

const doc = openapi as unknown as Json;

/** The value a local JSON pointer (`#/components/schemas/Tenant/properties/slug`) names in the document. */
function pointer(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let at: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !(key in at)) throw new Error(`unresolvable $ref ${ref}`);
    at = (at as Record<string, Json>)[key] as Json;
  }
  return at;
}

/** A copy of `schema` with every `$ref` replaced by what it points at, so it stands on its own. */
function inline(schema: Json, depth = 0): Json {
  if (depth > 32) throw new Error('the schema nests too deep (a $ref cycle?)');
  if (Array.isArray(schema)) return schema.map((s) => inline(s, depth + 1));
  if (schema === null || typeof schema !== 'object') return schema;
  const { $ref, ...rest } = schema;
  const base = typeof $ref === 'string' ? (inline(pointer($ref), depth + 1) as Record<string, Json>) : {};
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(rest)) out[k] = inline(v, depth + 1);
  return out;
}

const cache = new Map<string, Schema>();

/** The self-contained JSON Schema of the JSON body of `method path`, as the gateway declares it. */
export function requestSchema(method: Method, path: string): Schema {
  const key = `${method} ${path}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const op = pointer(`#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`) as {
    requestBody?: { content?: { 'application/json'?: { schema?: Json } } };
  } | null;
  const raw = op?.requestBody?.content?.['application/json']?.schema;
  if (!raw) throw new Error(`${key} takes no JSON body`);
  const schema = inline(raw) as Schema;
  cache.set(key, schema);
  return schema;
}

/** Field errors keyed by a dotted path of the body (`slug`, `newTenant.slug`); `''` for the body as a whole. */
export type FieldErrors = Record<string, string>;

/** The schema of the property at a dotted path, if the schema declares one. */
function propertySchema(schema: Schema, field: string): Schema | undefined {
  let at: Schema | undefined = schema;
  for (const part of field.split('.').filter(Boolean)) {
    const next: Schema | boolean | undefined = at?.properties?.[part];
    at = typeof next === 'object' ? next : undefined;
  }
  return at;
}

/** The field an output unit of the validator is about (`#/newTenant/slug` → `newTenant.slug`). */
function fieldOf(unit: OutputUnit): string {
  const path = unit.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean).join('.');
  if (unit.keyword === 'required') {
    const missing = /"([^"]+)"/.exec(unit.error)?.[1];
    if (missing) return path ? `${path}.${missing}` : missing;
  }
  return path;
}

/** Keywords that only say "something below failed": the deeper unit says what. */
const wrappers = new Set(['properties', 'allOf', 'anyOf', 'oneOf', '$ref', 'items', 'if', 'then', 'else']);

/** What to tell the user about one failing unit: the API's description of the field where it has one. */
function messageOf(schema: Schema, field: string, unit: OutputUnit): string {
  if (unit.keyword === 'required') return 'Required.';
  if (unit.keyword === 'additionalProperties') return 'Not a field this request takes.';
  const own = propertySchema(schema, field);
  if (unit.keyword === 'enum' && own?.enum)
    return `One of: ${own.enum.filter((v) => v !== null).join(', ')}.`;
  if (own?.description && ['pattern', 'minLength', 'maxLength', 'format', 'type'].includes(unit.keyword))
    return own.description;
  if (unit.keyword === 'minLength' && own?.minLength) return `At least ${own.minLength} characters.`;
  if (unit.keyword === 'maxLength' && own?.maxLength) return `At most ${own.maxLength} characters.`;
  if (unit.keyword === 'format' && own?.format === 'uuid') return 'An id (UUID).';
  return unit.error;
}

/** Checks a body against a schema; the first problem of each field, by field. */
export function validateBody(schema: Schema, body: unknown): FieldErrors {
  const result = new Validator(schema, '2020-12', false).validate(body);
  if (result.valid) return {};
  const errors: FieldErrors = {};
  for (const unit of result.errors) {
    if (wrappers.has(unit.keyword)) continue;
    const field = fieldOf(unit);
    errors[field] ??= messageOf(schema, field, unit);
  }
  // Nothing but wrappers failed: say so on the body rather than pass it as valid.
  if (Object.keys(errors).length === 0) errors[''] = result.errors[0]?.error ?? 'The request is not valid.';
  return errors;
}

/** The form field a problem's `field` names (`body/slug` or `body.slug` → `slug`), or undefined. */
export function problemField(problem: Problem): string | undefined {
  const field = problem.field;
  if (!field) return undefined;
  const parts = field.split(/[/.]/).filter(Boolean);
  if (parts[0] !== 'body' || parts.length < 2) return undefined;
  return parts.slice(1).join('.');
}

/** Values as the inputs hold them: text as strings, switches as booleans. */
export type FormValues = Record<string, string | boolean | number | null | undefined>;

/**
 * The body the inputs make: empty optional text is left out (the API refuses `""` where it wants
 * a slug or an id), numbers typed in text become numbers where the schema wants one, and dotted
 * names (`newTenant.slug`) become nested objects.
 */
export function bodyFrom(schema: Schema, values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === '' || value === null) continue;
    const own = propertySchema(schema, name);
    const types = own?.type === undefined ? [] : Array.isArray(own.type) ? own.type : [own.type];
    let v: unknown = value;
    if (typeof value === 'string' && (types.includes('integer') || types.includes('number'))) {
      const n = Number(value.trim());
      if (value.trim() !== '' && Number.isFinite(n)) v = n;
    }
    const parts = name.split('.');
    let at = body;
    for (const part of parts.slice(0, -1)) {
      at[part] ??= {};
      at = at[part] as Record<string, unknown>;
    }
    at[parts[parts.length - 1] as string] = v;
  }
  return body;
}

/** What a form shows: the values, each field's error, and a problem not about any one field. */
export interface SchemaForm<B> {
  values: FormValues;
  errors: FieldErrors;
  /** A refusal not about a field of this form (show it with `<ProblemAlert>` above the form). */
  problem: unknown;
  submitting: boolean;
  setValue(name: string, value: FormValues[string]): void;
  /** Props for a Mantine text input: `<TextInput label="Slug" {...form.text('slug')} />`. */
  text(name: string): {
    name: string;
    value: string;
    error: string | undefined;
    onChange(e: { currentTarget: { value: string } }): void;
  };
  /** Checks the values; the body when valid, else undefined (and the errors shown). */
  validate(): B | undefined;
  /** Shows a refusal: next to its field when the API names one of this form's fields, else above. */
  showError(error: unknown): void;
  /** An onSubmit handler: validates, then sends; a refusal is shown where it belongs. */
  onSubmit(send: (body: B) => Promise<unknown>): (e?: FormEvent) => void;
  reset(values?: FormValues): void;
}

/**
 * A form for the JSON body of `method path`, checked against the API's schema:
 *
 * ```tsx
 * const form = useSchemaForm('post', '/api/v1/tenants', { slug: '', displayName: '' });
 * <form onSubmit={form.onSubmit((body) => create.mutateAsync(body))}>
 *   <ProblemAlert error={form.problem} />
 *   <TextInput label="Slug" {...form.text('slug')} />
 * ```
 */
export function useSchemaForm<M extends Method, P extends BodyPath<M>>(
  method: M,
  path: P,
  initial: FormValues = {},
): SchemaForm<BodyOf<M, P>> {
  const schema = useMemo(() => requestSchema(method, path as string), [method, path]);
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<unknown>(undefined);
  const [submitting, setSubmitting] = useState(false);

  const setValue = useCallback((name: string, value: FormValues[string]) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  }, []);

  const validate = (): BodyOf<M, P> | undefined => {
    const body = bodyFrom(schema, values);
    const found = validateBody(schema, body);
    setErrors(found);
    setProblem(undefined);
    if (Object.keys(found).length > 0) return undefined;
    return body as BodyOf<M, P>;
  };

  const showError = (error: unknown) => {
    const field = error instanceof ApiProblemError ? problemField(error.problem) : undefined;
    if (field !== undefined && error instanceof ApiProblemError && field in values) {
      setErrors((e) => ({ ...e, [field]: error.problem.detail || error.problem.title }));
      setProblem(undefined);
    } else setProblem(error);
  };

  return {
    values,
    errors,
    problem,
    submitting,
    setValue,
    text: (name) => ({
      name,
      value: String(values[name] ?? ''),
      error: errors[name],
      onChange: (e) => setValue(name, e.currentTarget.value),
    }),
    validate,
    showError,
    onSubmit: (send) => (e) => {
      e?.preventDefault();
      const body = validate();
      if (!body) return;
      setSubmitting(true);
      send(body)
        .catch(showError)
        .finally(() => setSubmitting(false));
    },
    reset: (next) => {
      setValues(next ?? initial);
      setErrors({});
      setProblem(undefined);
    },
  };
}

export { ProblemAlert } from './components/problem-alert.tsx';
