import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcError } from '@ocp/bus';
import { type ErrorCode, errorCodes, isErrorCode } from '@ocp/contracts';
import { apiError } from '../src/errors.ts';

describe('the error codes', () => {
  test('every code of the contracts answers with its own status and a title', () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      const e = apiError(code as ErrorCode, 'x');
      assert.equal(e.code, code);
      assert.equal(e.status, status, code);
      assert.ok(e.title.length > 0, code);
    }
  });

  test('a misspelled code does not compile, and is no code at run time either', () => {
    // @ts-expect-error: not a code of proto-schemas/common/error-code.v1.json
    assert.throws(() => apiError('TENANT_NOT_FOUD', 'x'));
    // @ts-expect-error: services answer only the codes of the contracts
    const rpc = new RpcError('TENANT_NOT_FOUD', 'x');
    assert.equal(isErrorCode(rpc.code), false);
    assert.equal(isErrorCode('TENANT_NOT_FOUND'), true);
  });

  test('an error answer with a code this build does not know reaches the gateway as INTERNAL', () => {
    const e = RpcError.fromReply({ code: 'FROM_A_NEWER_PEER', message: 'something' });
    assert.equal(e.code, 'INTERNAL');
    assert.match(e.message, /FROM_A_NEWER_PEER: something/);
    assert.equal(
      RpcError.fromReply({ code: 'TENANT_EXISTS', message: 'taken', field: '/slug' }).field,
      '/slug',
    );
  });
});
