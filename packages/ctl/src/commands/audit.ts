import { unwrap } from '@ocp/api-client';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { action } from '../action.ts';
import type { Io } from '../context.ts';
import { saveBody } from '../save.ts';
import { formatBytes } from '../watch.ts';

interface ExportOptions {
  from?: string;
  to?: string;
  format: 'jsonl' | 'csv';
  tenant?: string;
  actor?: string;
  action?: string;
  outcome?: 'success' | 'denied' | 'failed';
  out?: string;
}

function instant(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InvalidArgumentError(
      `${value} is not a date or time (e.g. 2025-01-31 or 2025-01-31T12:00:00Z)`,
    );
  return new Date(t).toISOString();
}

/** `audit export`: the audit log, streamed from the API to a file or stdout. */
export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('the audit log');

  audit
    .command('export')
    .description('export the audit log, oldest first, streamed as the API sends it')
    .option('--from <time>', 'entries at or after this time', instant)
    .option('--to <time>', 'entries before this time', instant)
    .addOption(
      new Option('--format <format>', 'JSON lines or CSV').choices(['jsonl', 'csv']).default('jsonl'),
    )
    .option('--tenant <id>', 'only entries about this tenant (its id)')
    .option('--actor <actor>', 'only entries of operator:<id>, token:<id>, anonymous or system:<service>')
    .option('--action <action>', 'only entries of this action, e.g. tenant.suspend')
    .addOption(
      new Option('--outcome <outcome>', 'only entries of this outcome').choices([
        'success',
        'denied',
        'failed',
      ]),
    )
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(
      action<ExportOptions>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const result = await api.GET('/api/v1/audit/export', {
          params: {
            query: {
              format: opts.format === 'csv' ? 'csv' : 'ndjson',
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.to ? { to: opts.to } : {}),
              ...(opts.tenant ? { tenantId: opts.tenant } : {}),
              ...(opts.actor ? { actor: opts.actor } : {}),
              ...(opts.action ? { action: opts.action } : {}),
              ...(opts.outcome ? { outcome: opts.outcome } : {}),
            },
          },
          parseAs: 'stream',
        });
        const body = await unwrap(Promise.resolve(result));
        const file = opts.out ?? '-';
        const bytes = await saveBody(ctx, body, file);
        if (file === '-') return;
        ctx.out.json({ file, bytes, format: opts.format });
        ctx.out.say(`Wrote ${file} (${formatBytes(bytes)})`);
      }),
    );
}
