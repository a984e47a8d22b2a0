import { unwrap } from '@ocp/api-client';
import type { Command } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import { positiveInt } from '../pages.ts';
import { DEFAULT_INTERVAL_MS, type Operation, watchOperation } from '../watch.ts';

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
  const operations = program.command('operations').description('follow long-running work');

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
