import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { RpcError } from '@ocp/bus';

/** DNS's bound on a name, without the trailing dot. */
export const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/** Where the proof of a claim is looked up: `_ocp-challenge.<domain>`. */
export const CHALLENGE_LABEL = '_ocp-challenge';
const CHALLENGE_PREFIX = 'ocp-verify=';

const refuse = (code: ConstructorParameters<typeof RpcError>[0], message: string) =>
  new RpcError(code, message, '/domain');

/**
 * The platform's own base domain: the host of TENANT_BASE_URL without the label that holds
 * `{slug}` (`http://{slug}.odoo.example.com` gives `odoo.example.com`), or the whole host when the
 * slug is elsewhere in the address. Names there are the platform's to give, never a tenant's claim.
 */
export function platformBaseDomain(template: string): string {
  const mark = 'ocpslugmark';
  let host: string;
  try {
    host = new URL(template.replaceAll('{slug}', mark)).hostname.toLowerCase();
  } catch {
    return '';
  }
  const labels = host.split('.');
  const at = labels.findIndex((l) => l.includes(mark));
  return at === -1 ? host : labels.slice(at + 1).join('.');
}

/** The lowercase host of a tenant's address (its base URL), as the router matches it. */
export function hostOfUrl(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.length > 0 ? host.replace(/\.$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A custom domain as typed, checked and made canonical: lowercase ASCII, an internationalised name
 * in punycode (IDNA, `node:url`'s domainToASCII), no trailing dot. Each broken rule has its own
 * error code, and the message names the part at fault.
 */
export function canonicalDomain(input: string, baseDomain: string): string {
  const typed = input.trim().replace(/\.$/, '');
  if (typed.length === 0) throw refuse('DOMAIN_INVALID', 'the domain is empty');
  const bare = typed.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0)
    throw refuse('DOMAIN_IS_IP', `"${typed}" is an IP address; a custom domain is a host name`);
  const labels = typed.split('.');
  if (labels.some((l) => l.length === 0))
    throw refuse(
      'DOMAIN_LABEL_INVALID',
      `"${typed}" has an empty label (a leading dot, or two dots in a row)`,
    );
  const lower = typed.toLowerCase();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  const unicode = /[^\u0000-\u007f]/.test(lower);
  const ascii = unicode ? domainToASCII(lower) : lower;
  if (ascii === '')
    throw refuse('DOMAIN_INVALID', `"${typed}" is not a name IDNA can convert to ASCII (punycode)`);
  const bad = /[^a-z0-9.-]/.exec(ascii);
  if (bad)
    throw refuse(
      'DOMAIN_INVALID',
      `"${typed}" holds "${bad[0]}": a host name has only letters, digits, hyphens and dots`,
    );
  if (isIP(ascii) !== 0)
    throw refuse('DOMAIN_IS_IP', `"${typed}" is an IP address; a custom domain is a host name`);
  const parts = ascii.split('.');
  // Browsers read a name whose last label is a number as an IPv4 address (`1.2.3`, `10.1`).
  if (/^[0-9]+$/.test(parts.at(-1) ?? ''))
    throw refuse(
      'DOMAIN_IS_IP',
      `"${typed}" ends in a number, which browsers read as an IPv4 address; a custom domain is a host name`,
    );
  if (ascii.length > MAX_DOMAIN_LENGTH)
    throw refuse(
      'DOMAIN_TOO_LONG',
      `the domain is ${ascii.length} characters${unicode ? ' in punycode' : ''}; at most ${MAX_DOMAIN_LENGTH}`,
    );
  if (parts.length < 2)
    throw refuse(
      'DOMAIN_NOT_QUALIFIED',
      `"${typed}" has a single label; a custom domain has at least two (example.com, erp.example.com)`,
    );
  for (const label of parts) {
    if (label.length > MAX_LABEL_LENGTH)
      throw refuse(
        'DOMAIN_LABEL_INVALID',
        `the label "${label.slice(0, 20)}..." is ${label.length} characters; at most ${MAX_LABEL_LENGTH}`,
      );
    if (label.startsWith('-') || label.endsWith('-'))
      throw refuse('DOMAIN_LABEL_INVALID', `the label "${label}" starts or ends with a hyphen`);
  }
  if (baseDomain && (ascii === baseDomain || ascii.endsWith(`.${baseDomain}`)))
    throw refuse(
      'DOMAIN_RESERVED',
      `"${ascii}" is ${ascii === baseDomain ? '' : 'under '}the platform's own domain ${baseDomain}, whose names are its tenants' addresses`,
    );
  return ascii;
}

/** A new claim's token: 20 random bytes in hex, which any DNS provider's TXT field takes as it is. */
export const newChallengeToken = () => randomBytes(20).toString('hex');

/** The TXT record that proves a claim. */
export function challengeOf(domain: string, token: string) {
  return { type: 'TXT' as const, name: `${CHALLENGE_LABEL}.${domain}`, value: `${CHALLENGE_PREFIX}${token}` };
}
