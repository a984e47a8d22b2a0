import { type Schemas, unwrap } from '@ocp/api-client';
import { type Command, InvalidArgumentError } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import type { Column } from '../output.ts';
import { type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';
import { asPage, limitNames } from './plans.ts';

type Quota = Schemas['TenantQuota'];
type Sample = Schemas['UsageSample'];

const DAY = 86_400_000;

/**
 * A trial's end: a date (`2026-12-31`) is the end of that day in UTC, so the trial runs through it;
 * a date and time (RFC 3339 or anything `Date.parse` reads) is taken as it is.
 */
export function parseTrialEnd(text: string): string {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const start = Date.parse(`${t}T00:00:00Z`);
    if (!Number.isNaN(start)) return new Date(start + DAY).toISOString();
  } else {
    const at = Date.parse(t);
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  throw new InvalidArgumentError('a date (2026-12-31: through that day, UTC) or a date and time');
}

const parseSince = (text: string): string => {
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new InvalidArgumentError('a date or a date and time');
  return new Date(at).toISOString();
};

const sampleColumns: ReadonlyArray<Column<Sample>> = [
  { header: 'MEASURED', value: (s) => s.measuredAt },
  { header: 'USERS', value: (s) => s.activeUsers },
  { header: 'DATABASE', value: (s) => s.databaseBytes },
  { header: 'FILESTORE', value: (s) => s.filestoreBytes },
  { header: 'BACKUPS', value: (s) => s.backupBytes },
  { header: 'GENERATIONS', value: (s) => s.backupGenerations },
  { header: 'ERROR', value: (s) => s.error?.code, color: (s) => (s.error ? 'red' : undefined) },
];

const levelColor = (level: string) =>
  level === 'exceeded' ? 'red' : level === 'warning' ? 'yellow' : level === 'ok' ? 'green' : undefined;

/** One line per figure: what is used, the limit, the level. */
interface Row {
  metric: string;
  used: number | null;
  limit: number | null;
  level: string;
}
const usageColumns: ReadonlyArray<Column<Row>> = [
  { header: 'FIGURE', value: (r) => r.metric },
  { header: 'USED', value: (r) => r.used },
  { header: 'LIMIT', value: (r) => (r.limit === null ? 'unlimited' : r.limit) },
  {
    header: 'PERCENT',
    value: (r) =>
      r.used === null || r.limit === null || r.limit === 0 ? '' : `${Math.round((r.used / r.limit) * 100)}%`,
  },
  { header: 'LEVEL', value: (r) => r.level, color: (r) => levelColor(r.level) },
];

function printQuota(ctx: Context, q: Quota): void {
  if (ctx.out.format === 'json') {
    ctx.out.json(q);
    return;
  }
  ctx.out.record(q, [
    ['tenant', q.tenantId],
    ['plan', q.planKnown === false ? `${q.plan} (not in the catalog: no limits)` : q.plan],
    ['measured', q.usage ? q.usage.measuredAt : '(not yet)'],
    ['measurement error', q.usage?.error ? `${q.usage.error.code}: ${q.usage.error.message}` : null],
    ['installs blocked', q.enforcement.installsBlocked],
    ['suspended for quota', q.enforcement.suspended],
    ['over a limit since', q.enforcement.since],
    ['grace ends', q.enforcement.graceEndsAt],
    ['trial', q.trial ? `${q.trial.state}, ends ${q.trial.endsAt}` : null],
    ['override', q.override ? q.override.limits : null],
  ]);
  ctx.out.say('');
  const list = ctx.out.list(usageColumns);
  list.rows(
    limitNames.map((m) => ({
      metric: m,
      used: q.usage?.[m] ?? null,
      limit: q.limits[m],
      level: q.levels[m],
    })),
  );
  list.end();
}

/** `tenants usage|trial|measure`: a tenant's usage against its limits, its history, its trial. */
export function registerTenantQuota(tenants: Command, io: Io): void {
  tenants
    .command('usage')
    .description("a tenant's usage against its plan's limits; --history lists its measurements, newest first")
    .argument('<tenant>', 'id or slug')
    .option('--history', 'list the measurements instead')
    .option('--since <time>', 'with --history: measurements from this time on', parseSince)
    .option('--limit <n>', 'with --history: rows per page (1 to 200)', positiveInt)
    .option('--cursor <cursor>', 'with --history: start at this page')
    .option('--all', 'with --history: follow the pages to the end')
    .action(
      action<PagingOptions & { history?: boolean; since?: string }>(io, async (ctx, [tenant], opts) => {
        const api = await ctx.api();
        if (!opts.history) {
          printQuota(
            ctx,
            await unwrap(
              api.GET('/api/v1/tenants/{tenant}/quota', { params: { path: { tenant: tenant! } } }),
            ),
          );
          return;
        }
        const pages = pagesOf(
          (page) =>
            unwrap(
              api.GET('/api/v1/tenants/{tenant}/usage', {
                params: {
                  path: { tenant: tenant! },
                  query: {
                    ...(page.limit !== undefined ? { limit: page.limit } : {}),
                    ...(page.cursor !== undefined ? { after: page.cursor } : {}),
                    ...(opts.since ? { since: opts.since } : {}),
                  },
                },
              }),
            ).then(asPage),
          opts,
        );
        await printPages(ctx, sampleColumns, pages, opts);
      }),
    );

  tenants
    .command('trial')
    .description('start a trial, or move its end (the tenant is suspended for trial then, unless it pays)')
    .argument('<tenant>', 'id or slug')
    .requiredOption(
      '--ends <date>',
      'the last day (2026-12-31, through it, UTC) or a date and time',
      parseTrialEnd,
    )
    .action(
      action<{ ends: string }>(io, async (ctx, [tenant], opts) => {
        const api = await ctx.api();
        const quota = await unwrap(
          api.PUT('/api/v1/tenants/{tenant}/trial', {
            params: { path: { tenant: tenant! } },
            body: { endsAt: opts.ends },
          }),
        );
        printQuota(ctx, quota);
      }),
    );

  tenants
    .command('measure')
    .description("measure a tenant's usage now (active users, database, filestore, backups)")
    .argument('<tenant>', 'id or slug')
    .action(
      action(io, async (ctx, [tenant]) => {
        const api = await ctx.api();
        const { sample } = await unwrap(
          api.POST('/api/v1/tenants/{tenant}/usage/measure', { params: { path: { tenant: tenant! } } }),
        );
        ctx.out.record(sample, [
          ['measured', sample.measuredAt],
          ...limitNames.map((m) => [m, sample[m]] as const),
          ['error', sample.error ? `${sample.error.code}: ${sample.error.message}` : null],
        ]);
      }),
    );
}
