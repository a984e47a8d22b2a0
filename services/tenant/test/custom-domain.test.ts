import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcError } from '@ocp/bus';
import { canonicalDomain, challengeOf, hostOfUrl, platformBaseDomain } from '../src/domain/custom-domain.ts';
import { parseDnsServers } from '../src/domain/dns-challenge.ts';
import { defaultWebsocketUrl, hostPortOf } from '../src/runtime/registry.ts';

const base = platformBaseDomain('https://{slug}.odoo.example.com');

const refusedWith = (input: string, code: string) =>
  assert.throws(
    () => canonicalDomain(input, base),
    (e: unknown) => e instanceof RpcError && e.code === code && e.field === '/domain',
    `${input} should be refused with ${code}`,
  );

test('the base domain is the host of TENANT_BASE_URL without the slug label, or the host itself', () => {
  assert.equal(base, 'odoo.example.com');
  assert.equal(platformBaseDomain('http://{slug}.localhost:8069'), 'localhost');
  assert.equal(platformBaseDomain('https://ERP.Example.com/{slug}'), 'erp.example.com');
  assert.equal(platformBaseDomain('https://odoo-{slug}.example.com'), 'example.com');
});

test('a custom domain is made lowercase ASCII, a Unicode name punycode, a trailing dot dropped', () => {
  assert.equal(canonicalDomain('ERP.Acme.COM.', base), 'erp.acme.com');
  assert.equal(canonicalDomain('  shop.acme.io ', base), 'shop.acme.io');
  assert.equal(canonicalDomain('bücher.example', base), 'xn--bcher-kva.example');
  assert.equal(canonicalDomain('Bücher.Example', base), 'xn--bcher-kva.example');
  assert.equal(canonicalDomain('a-b.c-d.example.com', base), 'a-b.c-d.example.com');
  // Another name that merely ends like the base domain is not under it.
  assert.equal(canonicalDomain('myodoo.example.com', base), 'myodoo.example.com');
});

test('each broken rule has its own code', () => {
  refusedWith('', 'DOMAIN_INVALID');
  refusedWith('erp acme.com', 'DOMAIN_INVALID');
  refusedWith('erp_acme.com', 'DOMAIN_INVALID');
  refusedWith('acme.com/path', 'DOMAIN_INVALID');
  refusedWith('10.0.0.1', 'DOMAIN_IS_IP');
  refusedWith('[::1]', 'DOMAIN_IS_IP');
  refusedWith('2001:db8::1', 'DOMAIN_IS_IP');
  refusedWith('1.2.3', 'DOMAIN_IS_IP');
  refusedWith(`${'abcde'.repeat(12)}.`.repeat(5).concat('com'), 'DOMAIN_TOO_LONG');
  refusedWith(`${'a'.repeat(63)}.`.repeat(4).concat('co'), 'DOMAIN_TOO_LONG');
  refusedWith('localhost', 'DOMAIN_NOT_QUALIFIED');
  refusedWith('-erp.acme.com', 'DOMAIN_LABEL_INVALID');
  refusedWith('erp-.acme.com', 'DOMAIN_LABEL_INVALID');
  refusedWith('erp..acme.com', 'DOMAIN_LABEL_INVALID');
  refusedWith(`${'a'.repeat(64)}.com`, 'DOMAIN_LABEL_INVALID');
  refusedWith('odoo.example.com', 'DOMAIN_RESERVED');
  refusedWith('acme.odoo.example.com', 'DOMAIN_RESERVED');
  refusedWith('Deep.Acme.ODOO.example.com.', 'DOMAIN_RESERVED');
});

test('the challenge is a TXT record at _ocp-challenge.<domain> holding ocp-verify=<token>', () => {
  assert.deepEqual(challengeOf('erp.acme.com', 'abc'), {
    type: 'TXT',
    name: '_ocp-challenge.erp.acme.com',
    value: 'ocp-verify=abc',
  });
});

test('DNS servers are ip[:port]; anything else is a configuration problem naming the entry', () => {
  assert.deepEqual(parseDnsServers('127.0.0.1:5353, 10.0.0.2,[::1]:53,::1'), {
    servers: ['127.0.0.1:5353', '10.0.0.2', '[::1]:53', '::1'],
    problems: [],
  });
  assert.deepEqual(parseDnsServers(undefined), { servers: [], problems: [] });
  const bad = parseDnsServers('dns.example.com,127.0.0.1:99999');
  assert.equal(bad.servers.length, 0);
  assert.equal(bad.problems.length, 2);
  assert.match(bad.problems[0]!, /"dns\.example\.com" is not ip\[:port\]/);
});

test("a route's addresses: the gevent port defaults to 8072 at the rpcUrl's host, ports as host:port", () => {
  assert.equal(defaultWebsocketUrl('http://odoo-a:8069'), 'http://odoo-a:8072');
  assert.equal(hostPortOf('http://odoo-a:8069/'), 'odoo-a:8069');
  assert.equal(hostPortOf('https://odoo-b'), 'odoo-b:443');
  assert.equal(hostPortOf(defaultWebsocketUrl('http://[fd00::1]:8069')), '[fd00::1]:8072');
  assert.equal(hostOfUrl('http://Acme.localhost:8069'), 'acme.localhost');
});
