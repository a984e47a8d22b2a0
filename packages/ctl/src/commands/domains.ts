import { type Schemas, unwrap } from '@ocp/api-client';
import type { Command } from 'commander';
import { action } from '../action.ts';
import type { Io } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Column } from '../output.ts';
import { promptLine } from '../prompt.ts';

type Domain = Schemas['TenantDomain'];

const domainColumns: ReadonlyArray<Column<Domain>> = [
  { header: 'DOMAIN', value: (d) => d.domain },
  { header: 'STATE', value: (d) => d.state, color: (d) => (d.state === 'verified' ? 'green' : undefined) },
  { header: 'TXT NAME', value: (d) => d.challenge.name },
  { header: 'TXT VALUE', value: (d) => d.challenge.value },
];

const domainFields = (d: Domain): Array<readonly [string, unknown]> => [
  ['domain', d.domain],
  ['state', d.state],
  ['TXT name', d.challenge.name],
  ['TXT value', d.challenge.value],
  ['claimed', d.createdAt],
  ['verified', d.verifiedAt],
];

/** `tenants domains list|add|verify|remove`: a tenant's custom domains. */
export function registerDomains(tenants: Command, io: Io): void {
  const domains = tenants
    .command('domains')
    .description("a tenant's custom domains: claim one, create its DNS TXT record, verify it");

  domains
    .command('list')
    .description("list a tenant's custom domains with the TXT record each needs")
    .argument('<tenant>', 'id or slug')
    .action(
      action(io, async (ctx, [tenant]) => {
        const api = await ctx.api();
        const { items } = await unwrap(
          api.GET('/api/v1/tenants/{tenant}/domains', { params: { path: { tenant: tenant! } } }),
        );
        const list = ctx.out.list(domainColumns);
        list.rows(items);
        list.end();
      }),
    );

  domains
    .command('add')
    .description('claim a custom domain for a tenant; prints the TXT record to create')
    .argument('<tenant>', 'id or slug')
    .argument('<domain>', 'the host name, e.g. erp.example.com (Unicode allowed)')
    .action(
      action(io, async (ctx, [tenant, domain]) => {
        const api = await ctx.api();
        const d = await unwrap(
          api.POST('/api/v1/tenants/{tenant}/domains', {
            params: { path: { tenant: tenant! } },
            body: { domain: domain! },
          }),
        );
        ctx.out.record(d, domainFields(d));
        if (ctx.out.format === 'table')
          ctx.out.note(
            `Create the TXT record ${d.challenge.name} with the value ${d.challenge.value}, then: ocpctl tenants domains verify ${tenant} ${d.domain}`,
          );
      }),
    );

  domains
    .command('verify')
    .description("look the domain's TXT record up in DNS; found, the domain routes to the tenant")
    .argument('<tenant>', 'id or slug')
    .argument('<domain>', 'the domain as claimed')
    .action(
      action(io, async (ctx, [tenant, domain]) => {
        const api = await ctx.api();
        const d = await unwrap(
          api.POST('/api/v1/tenants/{tenant}/domains/{domain}/verify', {
            params: { path: { tenant: tenant!, domain: domain! } },
          }),
        );
        ctx.out.record(d, domainFields(d));
      }),
    );

  domains
    .command('remove')
    .description('remove a custom domain from a tenant: a verified one stops routing to it')
    .argument('<tenant>', 'id or slug')
    .argument('<domain>', 'the domain as claimed')
    .option('--yes', 'do not ask: needed when not on a terminal')
    .action(
      action<{ yes?: boolean }>(io, async (ctx, [tenant, domain], opts) => {
        if (!opts.yes) {
          if (!ctx.interactive)
            throw new UsageError(`refusing to remove ${domain} without --yes when not on a terminal`);
          const typed = await promptLine(ctx.io, `Type the domain to remove (${domain}): `);
          if (typed !== domain) throw new UsageError(`not removed: "${typed}" is not ${domain}`);
        }
        const api = await ctx.api();
        const d = await unwrap(
          api.DELETE('/api/v1/tenants/{tenant}/domains/{domain}', {
            params: { path: { tenant: tenant!, domain: domain! } },
          }),
        );
        if (ctx.out.format === 'json') return ctx.out.json(d);
        ctx.out.say(`Domain ${d.domain} removed from tenant ${tenant}`);
      }),
    );
}
