import { operationKinds, operationStates, unwrap } from '@ocp/api-client';
import { type Command, Option } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import { type Column, stateColor } from '../output.ts';
import { type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';
import { DEFAULT_INTERVAL_MS, type Operation, watchOperation } from '../watch.ts';
import { getTenant } from './tenants.ts';

const operationColumns: ReadonlyArray<Column<Operation>> = [
  { header: 'ID', value: (o) => o.id },
  { header: 'KIND', value: (o) => o.kind },
  { header: 'STATE', value: (o) => o.state, color: (o) => stateColor(o.state) },
  { header: 'PROGRESS', value: (o) => `${o.progress}%` },
  { header: 'TENANT', value: (o) => o.tenantId },
  { header: 'CREATED', value: (o) => o.createdAt },
  { header: 'ERROR', value: (o) => o.error },
];

interface ListOptions extends PagingOptions {
  state?: Operation['state'];
  kind?: Operation['kind'];
  tenant?: string;
}

function operationFields(op: Operation): Array<readonly [string, unknown]> {
  return [
    ['id', op.id],
    ['kind', op.kind],
    ['tenant', op.tenantId],
    ['state', op.state],
    ['progress', `${op.progress}%`],
    ['step', op.step],
    ['error', op.error],
    ['result', op.result],
    ['created', op.createdAt],
    ['finished', op.finishedAt],
  ];
}

function printOperation(ctx: Context, op: Operation) {
  ctx.out.record(op, operationFields(op));
}

/** `operations get|watch`: long-running work of tenants and backups. */
export function registerOperations(program: Command, io: Io): void {
  const operations = program.command('operations').description('list, show and follow long-running work');

  operations
    .command('list')
    .description('list operations of tenants and their backups, newest first')
    .addOption(new Option('--state <state>', 'only operations in this state').choices(operationStates))
    .addOption(new Option('--kind <kind>', 'only operations of this kind').choices(operationKinds))
    .option('--tenant <tenant>', "only this tenant's operations (id or slug)")
    .option('--limit <n>', 'rows per page', positiveInt)
    .option('--cursor <cursor>', 'start at this page')
    .option('--all', 'follow the pages to the end')
    .action(
      action<ListOptions>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const tenantId = opts.tenant ? (await getTenant(ctx, opts.tenant)).id : undefined;
        let warned = false;
        const pages = pagesOf(async (page) => {
          const answer = await unwrap(
            api.GET('/api/v1/operations', {
              params: {
                query: {
                  ...page,
                  ...(opts.state ? { state: opts.state } : {}),
                  ...(opts.kind ? { kind: opts.kind } : {}),
                  ...(tenantId ? { tenantId } : {}),
                },
              },
            }),
          );
          if (answer.missing?.length && !warned) {
            warned = true;
            ctx.out.note(
              `warning: no answer from the ${answer.missing.join(' and ')} service: its operations are left out`,
            );
          }
          return answer;
        }, opts);
        await printPages(ctx, operationColumns, pages, opts);
      }),
    );

  operations
    .command('get')
    .description('show an operation')
    .argument('<id>', 'operation id')
    .action(
      action(io, async (ctx, [id]) => {
        const api = await ctx.api();
        printOperation(
          ctx,
          await unwrap(api.GET('/api/v1/operations/{id}', { params: { path: { id: id! } } })),
        );
      }),
    );

  operations
    .command('watch')
    .description(
      'follow an operation until it ends: a progress bar on a terminal, plain lines otherwise, ' +
        'JSON lines with --output json; exits 7 when it fails',
    )
    .argument('<id>', 'operation id')
    .option(
      '--interval <ms>',
      `how often to ask, in milliseconds (default ${DEFAULT_INTERVAL_MS})`,
      positiveInt,
    )
    .action(
      action<{ interval?: number }>(io, async (ctx, [id], opts) => {
        const display = ctx.out.format === 'json' ? 'json' : ctx.io.stdout.isTTY ? 'bar' : 'lines';
        const op = await watchOperation(ctx, id!, {
          display,
          to: 'stdout',
          ...(opts.interval ? { intervalMs: opts.interval } : {}),
        });
        if (display !== 'json') ctx.out.say(`operation ${op.id} (${op.kind}) ${op.state}`);
      }),
    );
}
