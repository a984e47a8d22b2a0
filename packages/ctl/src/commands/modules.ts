import { type Schemas, unwrap } from '@ocp/api-client';
import { type Command, Option } from 'commander';
import { action } from '../action.ts';
import type { Io } from '../context.ts';
import { type Column, stateColor } from '../output.ts';
import { type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';
import { finishOperation } from '../watch.ts';

type Module = Schemas['TenantModulesListReplyV1-module'];
const moduleStates = [
  'uninstalled',
  'installed',
  'to upgrade',
  'to remove',
  'to install',
  'uninstallable',
] as const;

const moduleColumns: ReadonlyArray<Column<Module>> = [
  { header: 'NAME', value: (m) => m.name },
  { header: 'STATE', value: (m) => m.state, color: (m) => stateColor(m.state) },
  { header: 'VERSION', value: (m) => m.installedVersion ?? m.latestVersion },
  { header: 'APP', value: (m) => (m.application ? 'yes' : '') },
  { header: 'SUMMARY', value: (m) => m.shortdesc },
];

/** `modules list|install|upgrade|uninstall`: a tenant's Odoo modules (needs an Odoo runtime). */
export function registerModules(program: Command, io: Io): void {
  const modules = program.command('modules').description("a tenant's Odoo modules (needs an Odoo runtime)");

  modules
    .command('list')
    .description("list a tenant's Odoo modules")
    .argument('<tenant>', 'id or slug')
    .option('--search <text>', 'only modules whose technical name contains this')
    .addOption(new Option('--state <state>', 'only modules in this state').choices(moduleStates))
    .option('--limit <n>', 'rows per page (1 to 500)', positiveInt)
    .option('--cursor <cursor>', 'start at this page')
    .option('--all', 'follow the pages to the end')
    .action(
      action<PagingOptions & { search?: string; state?: Module['state'] }>(
        io,
        async (ctx, [tenant], opts) => {
          const api = await ctx.api();
          const pages = pagesOf(
            (page) =>
              unwrap(
                api.GET('/api/v1/tenants/{tenant}/modules', {
                  params: {
                    path: { tenant: tenant! },
                    query: {
                      ...page,
                      ...(opts.search ? { search: opts.search } : {}),
                      ...(opts.state ? { state: opts.state } : {}),
                    },
                  },
                }),
              ),
            opts,
          );
          await printPages(ctx, moduleColumns, pages, opts);
        },
      ),
    );

  for (const verb of ['install', 'upgrade', 'uninstall'] as const) {
    modules
      .command(verb)
      .description(`${verb} an Odoo module of a tenant`)
      .argument('<tenant>', 'id or slug')
      .argument('<module>', 'technical name, e.g. sale_management')
      .option('--wait', 'follow the operation until it ends (exit 7 if it fails)')
      .action(
        action<{ wait?: boolean }>(io, async (ctx, [tenant, module], opts) => {
          const api = await ctx.api();
          const params = { path: { tenant: tenant!, module: module! } };
          const answer = await unwrap(
            verb === 'install'
              ? api.POST('/api/v1/tenants/{tenant}/modules/{module}/install', { params })
              : verb === 'upgrade'
                ? api.POST('/api/v1/tenants/{tenant}/modules/{module}/upgrade', { params })
                : api.POST('/api/v1/tenants/{tenant}/modules/{module}/uninstall', { params }),
          );
          await finishOperation(ctx, answer, {
            wait: opts.wait ?? false,
            summary: `Module ${module} of ${answer.tenant.slug}: ${verb}`,
          });
        }),
      );
  }
}
