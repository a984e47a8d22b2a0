import { backupStates, type Schemas, unwrap } from '@ocp/api-client';
import { type Command, Option } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import { CliError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { type Column, stateColor } from '../output.ts';
import { type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';
import { saveBody, suggestedName } from '../save.ts';
import { finishOperation, formatBytes } from '../watch.ts';
import { getTenant } from './tenants.ts';

type Backup = Schemas['Backup'];

const backupColumns: ReadonlyArray<Column<Backup>> = [
  { header: 'ID', value: (b) => b.id },
  { header: 'KIND', value: (b) => b.kind },
  { header: 'STATE', value: (b) => b.state, color: (b) => stateColor(b.state) },
  { header: 'CREATED', value: (b) => b.createdAt },
  { header: 'SIZE', value: (b) => (b.storedBytes === null ? '' : formatBytes(b.storedBytes)) },
  { header: 'ODOO', value: (b) => b.odooVersion },
  { header: 'DRILL', value: (b) => (b.drill.state === 'none' ? '' : b.drill.state) },
];

async function getBackup(ctx: Context, backup: string): Promise<Backup> {
  const api = await ctx.api();
  return unwrap(api.GET('/api/v1/backups/{backup}', { params: { path: { backup } } }));
}

/** The backup, when it is one of the tenant's (so that a mistyped id cannot touch another tenant's). */
async function backupOf(ctx: Context, tenant: string, backup: string) {
  const [t, b] = await Promise.all([getTenant(ctx, tenant), getBackup(ctx, backup)]);
  if (b.tenantId !== t.id)
    throw new CliError(
      `backup ${backup} is not a backup of tenant ${t.slug}`,
      ExitCode.notFound,
      'CLI_NOT_FOUND',
    );
  return { tenant: t, backup: b };
}

/** `backups list|run|restore|download`. */
export function registerBackups(program: Command, io: Io): void {
  const backups = program.command('backups').description("a tenant's backups: list, run, restore, download");

  backups
    .command('list')
    .description("list a tenant's backups, newest first")
    .argument('<tenant>', 'id or slug')
    .addOption(new Option('--state <state>', 'only backups in this state').choices(backupStates))
    .option('--limit <n>', 'rows per page (1 to 200)', positiveInt)
    .option('--cursor <cursor>', 'start at this page')
    .option('--all', 'follow the pages to the end')
    .action(
      action<PagingOptions & { state?: Backup['state'] }>(io, async (ctx, [tenant], opts) => {
        const api = await ctx.api();
        const pages = pagesOf(
          (page) =>
            unwrap(
              api.GET('/api/v1/tenants/{tenant}/backups', {
                params: {
                  path: { tenant: tenant! },
                  query: { ...page, ...(opts.state ? { state: opts.state } : {}) },
                },
              }),
            ),
          opts,
        );
        await printPages(ctx, backupColumns, pages, opts);
      }),
    );

  backups
    .command('run')
    .description('back a tenant up now')
    .argument('<tenant>', 'id or slug')
    .option('--wait', 'follow the backup until it ends (exit 7 if it fails)')
    .action(
      action<{ wait?: boolean }>(io, async (ctx, [tenant], opts) => {
        const api = await ctx.api();
        const answer = await unwrap(
          api.POST('/api/v1/tenants/{tenant}/backups', { params: { path: { tenant: tenant! } } }),
        );
        await finishOperation(ctx, answer, {
          wait: opts.wait ?? false,
          summary: `Backup ${answer.backup.id} of ${tenant}`,
          refresh: async () => ({ backup: await getBackup(ctx, answer.backup.id) }),
        });
      }),
    );

  backups
    .command('restore')
    .description('restore a backup into its own tenant (what the tenant holds now is backed up first)')
    .argument('<tenant>', 'id or slug')
    .argument('<backup>', 'backup id')
    .option('--wait', 'follow the restore until it ends (exit 7 if it fails)')
    .action(
      action<{ wait?: boolean }>(io, async (ctx, [tenant, backup], opts) => {
        const api = await ctx.api();
        const t = await getTenant(ctx, tenant!);
        const answer = await unwrap(
          api.POST('/api/v1/backups/{backup}/restore', {
            params: { path: { backup: backup! } },
            body: { tenantId: t.id },
          }),
        );
        await finishOperation(ctx, answer, {
          wait: opts.wait ?? false,
          summary: `Restore of backup ${backup} into ${t.slug}`,
        });
      }),
    );

  backups
    .command('download')
    .description('download a backup as an Odoo backup zip, streamed to a file')
    .argument('<tenant>', 'id or slug')
    .argument('<backup>', 'backup id')
    .option('-o, --out <file>', 'where to write it (- for stdout; default: the name the API suggests)')
    .action(
      action<{ out?: string }>(io, async (ctx, [tenant, backup], opts) => {
        const { tenant: t } = await backupOf(ctx, tenant!, backup!);
        const api = await ctx.api();
        const result = await api.GET('/api/v1/backups/{backup}/download', {
          params: { path: { backup: backup! } },
          parseAs: 'stream',
        });
        const body = await unwrap(Promise.resolve(result));
        const file = opts.out ?? suggestedName(result.response) ?? `${t.slug}-${backup}.zip`;
        const bytes = await saveBody(ctx, body, file);
        if (file === '-') return;
        ctx.out.json({ tenant: t.id, backup, file, bytes });
        ctx.out.say(`Wrote ${file} (${formatBytes(bytes)})`);
      }),
    );
}
