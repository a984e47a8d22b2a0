import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/index.ts';

test('secrets in a logged request or runtime are censored, wherever they are nested', () => {
  const lines: string[] = [];
  const log = createLogger('tenant', 'info', { write: (line: string) => void lines.push(line) });
  log.info(
    {
      req: { headers: { authorization: 'Bearer tok-1', cookie: 'sid=abc' } },
      runtime: { name: 'main', masterPassword: 'master-secret-1' },
      body: { adminLogin: 'admin@example.com', adminPassword: 'admin-secret-1', apiKey: 'key-1' },
      password: 'pw-1',
    },
    'registered',
  );
  const entry = JSON.parse(lines[0] ?? '{}');
  assert.equal(entry.runtime.masterPassword, '[redacted]');
  assert.equal(entry.body.adminPassword, '[redacted]');
  assert.equal(entry.body.apiKey, '[redacted]');
  assert.equal(entry.body.adminLogin, 'admin@example.com', 'what is not a secret is kept');
  assert.equal(entry.req.headers.authorization, '[redacted]');
  assert.equal(entry.password, '[redacted]');
  for (const secret of ['tok-1', 'sid=abc', 'master-secret-1', 'admin-secret-1', 'key-1', 'pw-1'])
    assert.ok(!lines[0]?.includes(secret), `${secret} is not in the log`);
});
