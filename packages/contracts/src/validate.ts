import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorNames } from './generated/schemas.ts';
import * as compiled from './generated/validators.ts';

export type SchemaKey = keyof typeof validatorNames;

/** One thing wrong with a value: where (a JSON pointer) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const table = compiled as unknown as Record<string, ValidateFunction>;

function describe(e: ErrorObject): ValidationIssue {
  const path = e.instancePath || '/';
  switch (e.keyword) {
    case 'additionalProperties':
      return {
        path: `${e.instancePath}/${String(e.params.additionalProperty)}`,
        message: 'is not a known field',
      };
    case 'required':
      return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { path, message: e.message ?? 'is invalid' };
  }
}

/** Validates a value against a schema of `proto-schemas/` with its precompiled validator. */
export function validate<T>(key: SchemaKey, value: unknown): Validation<T> {
  const fn = table[validatorNames[key]];
  if (!fn) throw new Error(`no validator for schema ${key}`);
  if (fn(value)) return { ok: true, value: value as T };
  return { ok: false, issues: (fn.errors ?? []).map(describe) };
}

/** Renders issues as one sentence for an error message. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path} ${i.message}`).join('; ');
}
