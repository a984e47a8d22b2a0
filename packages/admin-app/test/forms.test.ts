import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyFrom, problemField, requestSchema, validateBody } from '../src/forms.ts';

test('a tenant body is checked against the API schema with its $refs resolved, errors by field', () => {
  const schema = requestSchema('post', '/api/v1/tenants');
  const errors = validateBody(schema, bodyFrom(schema, { slug: 'Bad Slug', displayName: '', plan: '' }));
  assert.match(errors.slug ?? '', /lowercase letters/);
  assert.equal(errors.displayName, 'Required.');
  assert.equal(errors.plan, undefined);
  assert.deepEqual(validateBody(schema, { slug: 'acme', displayName: 'Acme' }), {});
});

test('nested fields and problem fields map to dotted form names', () => {
  const schema = requestSchema('post', '/api/v1/backups/{backup}/restore');
  assert.deepEqual(bodyFrom(schema, { 'newTenant.slug': 'copy' }), { newTenant: { slug: 'copy' } });
  assert.equal(problemField({ type: '', title: '', status: 400, detail: '', field: 'body/slug' }), 'slug');
  assert.equal(
    problemField({ type: '', title: '', status: 400, detail: '', field: 'querystring/q' }),
    undefined,
  );
});
