import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refuseModuleOperation } from '../src/domain/module-policy.ts';

const pro = { plan: 'pro', known: { allowedModules: ['sale', 'crm'] }, installsBlocked: false };

test('a module outside the plan allowed list is refused for install and upgrade, never for uninstall', () => {
  assert.equal(refuseModuleOperation('install', 'stock', pro)?.code, 'QUOTA_MODULE_NOT_ALLOWED');
  assert.match(refuseModuleOperation('install', 'stock', pro)!.message, /plan "pro"/);
  assert.equal(refuseModuleOperation('upgrade', 'stock', pro)?.code, 'QUOTA_MODULE_NOT_ALLOWED');
  assert.equal(refuseModuleOperation('uninstall', 'stock', pro), undefined);
  assert.equal(refuseModuleOperation('install', 'crm', pro), undefined);
});

test('blocked installs refuse installs only, naming the plan', () => {
  const blocked = { ...pro, installsBlocked: true };
  assert.equal(refuseModuleOperation('install', 'crm', blocked)?.code, 'QUOTA_EXCEEDED');
  assert.match(refuseModuleOperation('install', 'crm', blocked)!.message, /limit of plan "pro"/);
  assert.equal(refuseModuleOperation('upgrade', 'crm', blocked), undefined);
  assert.equal(refuseModuleOperation('uninstall', 'crm', blocked), undefined);
});

test('the allowed list is checked before the block, so the refusal names the lasting reason', () => {
  const blocked = { ...pro, installsBlocked: true };
  assert.equal(refuseModuleOperation('install', 'stock', blocked)?.code, 'QUOTA_MODULE_NOT_ALLOWED');
});

test('a plan without a list, or one the copy does not know, allows any module', () => {
  const any = { plan: 'free', known: { allowedModules: null }, installsBlocked: false };
  assert.equal(refuseModuleOperation('install', 'stock', any), undefined);
  assert.equal(refuseModuleOperation('install', 'stock', { plan: 'new', installsBlocked: false }), undefined);
});
