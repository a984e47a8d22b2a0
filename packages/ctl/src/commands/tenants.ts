import { type Schemas, suspensionReasons, tenantListSorts, tenantStates, unwrap } from '@ocp/api-client';
import { type Command, Option } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import { UsageError } from '../errors.ts';
import { type Column, stateColor } from '../output.ts';
import { pagesOf, positiveInt, printPages } from '../pages.ts';
import { promptLine } from '../prompt.ts';
import { finishOperation } from '../watch.ts';
import { registerDomains } from './domains.ts';
import { registerTenantQuota } from './tenant-quota.ts';

type Tenant = Schemas['Tenant'];
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const tenantColumns: ReadonlyArray<Column<Tenant>> = [
  { header: 'ID', value: (t) => t.id },
  { header: 'SLUG', value: (t) => t.slug },
  { header: 'NAME', value: (t) => t.displayName },
  { header: 'PLAN', value: (t) => t.plan },
  { header: 'STATE', value: (t) => t.state, color: (t) => stateColor(t.state) },
  { header: 'CREATED', value: (t) => t.createdAt },
];

export function tenantFields(t: Tenant): Array<readonly [string, unknown]> {
  return [
    ['id', t.id],
    ['slug', t.slug],
    ['name', t.displayName],
    ['plan', t.plan],
    ['state', t.state],
    ['suspended for', t.suspensionReasons],
    ['database', t.databaseName],
    ['runtime', t.runtimeId ?? '(none)'],
    ['admin login', t.adminLogin],
    ['address', t.baseUrl],
    ['last error', t.lastError],
    ['created', t.createdAt],
    ['updated', t.updatedAt],
    ...(t.purgeAfter ? ([['purged after', t.purgeAfter]] as const) : []),
  ];
}

/** A tenant by id or slug, as every tenant route takes it. */
export async function getTenant(ctx: Context, tenant: string): Promise<Tenant> {
  const api = await ctx.api();
  return unwrap(api.GET('/api/v1/tenants/{tenant}', { params: { path: { tenant } } }));
}

/** A runtime's id, from its id or its name. */
async function runtimeId(ctx: Context, runtime: string): Promise<string> {
  if (uuid.test(runtime)) return runtime;
  const api = await ctx.api();
  return (await unwrap(api.GET('/api/v1/runtimes/{runtime}', { params: { path: { runtime } } }))).runtime.id;
}

interface ListOptions {
  state?: Tenant['state'];
  plan?: string;
  search?: string;
  sort?: (typeof tenantListSorts)[number];
  runtime?: string;
  slugPrefix?: string;
  includeDeleted?: boolean;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

interface CreateOptions {
  slug: string;
  name: string;
  plan?: string;
  adminLogin?: string;
  company?: string;
  runtime?: string;
  idempotencyKey?: string;
  wait?: boolean;
}

/** `tenants list|get|create|suspend|resume|delete`, `tenants domains ...` and `tenants usage|trial|measure`. */
export function registerTenants(program: Command, io: Io): void {
  const tenants = program
    .command('tenants')
    .description('list, create, suspend, resume and delete tenants; their custom domains, usage and trials');

  tenants
    .command('list')
    .description('list tenants, newest first')
    .addOption(new Option('--state <state>', 'only tenants in this state').choices(tenantStates))
    .option('--plan <plan>', 'only tenants on this plan')
    .option(
      '--search <text>',
      'only tenants with this text in their name, slug, domain or billing customer id',
    )
    .addOption(
      new Option('--sort <order>', 'the order, descending with a leading - (default: -createdAt)').choices(
        tenantListSorts,
      ),
    )
    .option('--runtime <runtime>', 'only tenants served by this Odoo runtime (id or name)')
    .option('--slug-prefix <prefix>', 'only tenants whose slug starts with this')
    .option('--include-deleted', 'list deleted tenants too')
    .option('--limit <n>', 'rows per page (1 to 200; the API default is 50)', positiveInt)
    .option('--cursor <cursor>', 'start at this page (printed after a table that has more)')
    .option('--all', 'follow the pages to the end, printing each as it comes')
    .action(
      action<ListOptions>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const runtime = opts.runtime ? await runtimeId(ctx, opts.runtime) : undefined;
        const pages = pagesOf(
          (page) =>
            unwrap(
              api.GET('/api/v1/tenants', {
                params: {
                  query: {
                    ...page,
                    ...(opts.search ? { q: opts.search } : {}),
                    ...(opts.sort ? { sort: opts.sort } : {}),
                    ...(runtime ? { runtimeId: runtime } : {}),
                    ...(opts.state ? { state: opts.state } : {}),
                    ...(opts.plan ? { plan: opts.plan } : {}),
                    ...(opts.slugPrefix ? { slugPrefix: opts.slugPrefix } : {}),
                    ...(opts.includeDeleted ? { includeDeleted: true } : {}),
                  },
                },
              }),
            ),
          opts,
        );
        await printPages(ctx, tenantColumns, pages, opts);
      }),
    );

  tenants
    .command('stats')
    .description('how many tenants are in each state')
    .action(
      action(io, async (ctx) => {
        const stats = await unwrap((await ctx.api()).GET('/api/v1/tenants/stats'));
        if (ctx.out.format === 'json') return ctx.out.json(stats);
        const rows = [...Object.entries(stats.byState), ['total', stats.total] as const];
        ctx.out
          .list<readonly [string, number]>([
            { header: 'STATE', value: ([state]) => state, color: ([state]) => stateColor(state) },
            { header: 'TENANTS', value: ([, n]) => n },
          ])
          .rows(rows);
      }),
    );

  tenants
    .command('get')
    .description('show a tenant')
    .argument('<tenant>', 'id or slug')
    .action(
      action(io, async (ctx, [tenant]) => {
        const t = await getTenant(ctx, tenant!);
        ctx.out.record(t, tenantFields(t));
      }),
    );

  tenants
    .command('create')
    .description('create a tenant (an Odoo database of its own) and start its provisioning')
    .requiredOption('--slug <slug>', '3 to 32 lowercase letters, digits and hyphens')
    .requiredOption('--name <name>', 'the name to show')
    .option('--plan <plan>', 'the plan (the API default when not given)')
    .option('--admin-login <login>', "the Odoo administrator's login (an email or a user name)")
    .option('--company <name>', "the Odoo company's name")
    .option('--runtime <runtime>', 'place it on this Odoo runtime (id or name)')
    .option('--idempotency-key <key>', 'the same key with the same flags creates the tenant once')
    .option('--wait', 'follow the provisioning until it ends (exit 7 if it fails)')
    .action(
      action<CreateOptions>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const body = {
          slug: opts.slug,
          displayName: opts.name,
          ...(opts.plan ? { plan: opts.plan } : {}),
          ...(opts.adminLogin ? { adminLogin: opts.adminLogin } : {}),
          ...(opts.company ? { companyName: opts.company } : {}),
          ...(opts.runtime ? { runtimeId: await runtimeId(ctx, opts.runtime) } : {}),
        };
        const answer = await unwrap(
          api.POST('/api/v1/tenants', {
            body,
            ...(opts.idempotencyKey
              ? { params: { header: { 'idempotency-key': opts.idempotencyKey } } }
              : {}),
          }),
        );
        if (answer.adminPassword && ctx.out.format === 'table')
          ctx.out.note(`Odoo administrator password (shown once): ${answer.adminPassword}`);
        await finishOperation(ctx, answer, {
          wait: opts.wait ?? false,
          summary: `Tenant ${answer.tenant.slug} (${answer.tenant.id}) created`,
          refresh: async () => ({ tenant: await getTenant(ctx, answer.tenant.id) }),
        });
      }),
    );

  for (const verb of ['suspend', 'resume'] as const) {
    tenants
      .command(verb)
      .description(
        verb === 'suspend'
          ? 'suspend a tenant: its database refuses new connections'
          : 'resume a suspended tenant (lifts the reason given, manual by default)',
      )
      .argument('<tenant>', 'id or slug')
      .addOption(new Option('--reason <reason>', 'why (default: manual)').choices(suspensionReasons))
      .option('--wait', 'follow the operation until it ends (exit 7 if it fails)')
      .action(
        action<{ reason?: (typeof suspensionReasons)[number]; wait?: boolean }>(
          io,
          async (ctx, [tenant], opts) => {
            const api = await ctx.api();
            const params = { path: { tenant: tenant! } };
            const body = opts.reason ? { reason: opts.reason } : {};
            const answer = await unwrap(
              verb === 'suspend'
                ? api.POST('/api/v1/tenants/{tenant}/suspend', { params, body })
                : api.POST('/api/v1/tenants/{tenant}/resume', { params, body }),
            );
            await finishOperation(ctx, answer, {
              wait: opts.wait ?? false,
              summary: `Tenant ${answer.tenant.slug} ${verb === 'suspend' ? 'suspending' : 'resuming'}`,
              refresh: async () => ({ tenant: await getTenant(ctx, answer.tenant.id) }),
            });
          },
        ),
      );
  }

  tenants
    .command('delete')
    .description('delete a tenant (final backup, then a grace period during which it can be undone)')
    .argument('<tenant>', 'id or slug')
    .option('--yes', 'do not ask: needed when not on a terminal')
    .option('--wait', 'follow the deletion until it ends (exit 7 if it fails)')
    .action(
      action<{ yes?: boolean; wait?: boolean }>(io, async (ctx, [tenant], opts) => {
        if (!opts.yes) {
          if (!ctx.interactive)
            throw new UsageError(`refusing to delete tenant ${tenant} without --yes when not on a terminal`);
          const t = await getTenant(ctx, tenant!);
          const typed = await promptLine(ctx.io, `Type the slug of the tenant to delete (${t.slug}): `);
          if (typed !== t.slug) throw new UsageError(`not deleted: "${typed}" is not ${t.slug}`);
        }
        const api = await ctx.api();
        const answer = await unwrap(
          api.DELETE('/api/v1/tenants/{tenant}', { params: { path: { tenant: tenant! } } }),
        );
        await finishOperation(ctx, answer, {
          wait: opts.wait ?? false,
          summary: `Tenant ${answer.tenant.slug} deleting`,
        });
      }),
    );

  registerDomains(tenants, io);
  registerTenantQuota(tenants, io);
}
