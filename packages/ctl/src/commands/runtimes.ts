import { type Schemas, unwrap } from '@ocp/api-client';
import type { Command } from 'commander';
import { action } from '../action.ts';
import type { Io } from '../context.ts';
import { type Column, stateColor } from '../output.ts';
import { type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';

type Runtime = Schemas['Runtime'];

const runtimeColumns: ReadonlyArray<Column<Runtime>> = [
  { header: 'ID', value: (r) => r.id },
  { header: 'NAME', value: (r) => r.name },
  { header: 'ODOO', value: (r) => r.odooVersion },
  { header: 'STATE', value: (r) => r.state, color: (r) => stateColor(r.state) },
  { header: 'TENANTS', value: (r) => `${r.tenantCount}/${r.maxTenants}` },
  { header: 'RPC', value: (r) => r.rpcUrl },
];

/** `runtimes list|get`: the Odoo runtimes that serve tenants. */
export function registerRuntimes(program: Command, io: Io): void {
  const runtimes = program.command('runtimes').description('the Odoo runtimes that serve tenants');

  runtimes
    .command('list')
    .description('list the registered Odoo runtimes')
    .option('--include-disabled', 'list disabled runtimes too')
    .option('--limit <n>', 'rows per page (1 to 200)', positiveInt)
    .option('--cursor <cursor>', 'start at this page')
    .option('--all', 'follow the pages to the end')
    .action(
      action<PagingOptions & { includeDisabled?: boolean }>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const pages = pagesOf(
          (page) =>
            unwrap(
              api.GET('/api/v1/runtimes', {
                params: { query: { ...page, ...(opts.includeDisabled ? { includeDisabled: true } : {}) } },
              }),
            ),
          opts,
        );
        await printPages(ctx, runtimeColumns, pages, opts);
      }),
    );

  runtimes
    .command('get')
    .description('show a runtime')
    .argument('<runtime>', 'id or name')
    .action(
      action(io, async (ctx, [runtime]) => {
        const api = await ctx.api();
        const { runtime: r } = await unwrap(
          api.GET('/api/v1/runtimes/{runtime}', { params: { path: { runtime: runtime! } } }),
        );
        ctx.out.record(r, [
          ['id', r.id],
          ['name', r.name],
          ['odoo', r.odooVersion],
          ['state', r.state],
          ['tenants', `${r.tenantCount}/${r.maxTenants}`],
          ['rpc', r.rpcUrl],
          ['database role', r.dbRole],
          ['filestore', r.filestorePath],
          ['template', r.templateDatabase],
          ['template error', r.templateError],
          ['created', r.createdAt],
        ]);
      }),
    );
}
