import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

/** What DNS said of a challenge record: found with the expected value, or what came instead. */
export type ChallengeLookup = { found: true } | { found: false; saw: string };

/**
 * The servers of TENANT_DOMAIN_DNS_SERVERS (`ip[:port]`, an IPv6 address with a port in brackets),
 * as `Resolver.setServers` takes them, or the problems with them.
 */
export function parseDnsServers(list: string | undefined): { servers: string[]; problems: string[] } {
  const servers: string[] = [];
  const problems: string[] = [];
  for (const raw of (list ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
    const v4 = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(entry);
    const [ip, port] = bracketed
      ? [bracketed[1]!, bracketed[2]]
      : v4
        ? [v4[1]!, v4[2]]
        : isIP(entry) === 6
          ? [entry, undefined]
          : ['', undefined];
    if (isIP(ip) === 0 || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      problems.push(
        `TENANT_DOMAIN_DNS_SERVERS: "${entry}" is not ip[:port] (an IPv6 address with a port in brackets)`,
      );
      continue;
    }
    servers.push(entry);
  }
  return { servers, problems };
}

const dnsErrorWords: Record<string, string> = {
  ENOTFOUND: 'no such name (NXDOMAIN)',
  ENODATA: 'the name exists but has no TXT record',
  ETIMEOUT: 'no answer in time',
  ESERVFAIL: 'a server failure (SERVFAIL)',
  EREFUSED: 'the query was refused (REFUSED)',
  ECONNREFUSED: 'the DNS server refused the connection',
};

/**
 * Looks the challenge's TXT records up through the configured servers (the system's when none)
 * and says whether one holds exactly `value`. A record split in strings (long values) is joined,
 * as DNS means it.
 */
export async function lookUpChallenge(
  name: string,
  value: string,
  opts: { servers: readonly string[]; timeoutMs: number },
): Promise<ChallengeLookup> {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 2 });
  if (opts.servers.length > 0) resolver.setServers([...opts.servers]);
  let records: string[];
  try {
    records = (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return { found: false, saw: dnsErrorWords[code] ?? `an error (${code || (err as Error).message})` };
  }
  if (records.includes(value)) return { found: true };
  if (records.length === 0) return { found: false, saw: 'no TXT record' };
  const shown = records.slice(0, 5).map((r) => JSON.stringify(r.length > 100 ? `${r.slice(0, 100)}...` : r));
  return {
    found: false,
    saw: `${records.length === 1 ? 'the TXT record' : `${records.length} TXT records`} ${shown.join(', ')}${records.length > 5 ? ', ...' : ''}`,
  };
}
