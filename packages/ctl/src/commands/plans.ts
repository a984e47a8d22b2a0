import { readFile } from 'node:fs/promises';
import { ApiProblemError, type Schemas, unwrap } from '@ocp/api-client';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { action } from '../action.ts';
import type { Context, Io } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { Column } from '../output.ts';
import { type Page, type PagingOptions, pagesOf, positiveInt, printPages } from '../pages.ts';
import { promptLine, readStdin } from '../prompt.ts';

type Plan = Schemas['QuotaPlan'];

/** The limits of a plan, in the order every screen shows them. */
export const limitNames = [
  'activeUsers',
  'databaseBytes',
  'filestoreBytes',
  'backupBytes',
  'backupGenerations',
] as const;
type LimitName = (typeof limitNames)[number];
const byteLimits = new Set<LimitName>(['databaseBytes', 'filestoreBytes', 'backupBytes']);

/** Sizes as people write them: 1024-based units, a plain number being bytes. */
const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * A limit flag's value: `unlimited`, a count, or for sizes a number with a unit (`500MB`, `2GiB`).
 * Not null for unlimited: commander stores a parser's null as an empty string.
 */
export function parseLimit(text: string, bytes: boolean): number | 'unlimited' {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited' || t === 'none') return 'unlimited';
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  const unit = m ? sizeUnits[m[2] ?? ''] : undefined;
  if (!m || unit === undefined || (!bytes && m[2] !== ''))
    throw new InvalidArgumentError(
      bytes
        ? 'a size such as 1073741824, 500MB or 2GiB (1024-based), or "unlimited"'
        : 'a whole number, or "unlimited"',
    );
  const value = Number(m[1]) * unit;
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(bytes ? 'a size of whole bytes' : 'a whole number, or "unlimited"');
  return value;
}

const nonNegativeInt = (text: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('a whole number of 0 or more');
  return n;
};

/** `sale,crm` as a list; `any` (every module) where `allowAny`. */
const moduleList =
  (allowAny: boolean) =>
  (text: string): string[] | 'any' => {
    const t = text.trim();
    if (allowAny && (t === 'any' || t === '*')) return 'any';
    return t === '' ? [] : t.split(',').map((s) => s.trim());
  };

const showLimit = (name: LimitName, v: number | null): string =>
  v === null ? 'unlimited' : byteLimits.has(name) ? showBytes(v) : String(v);

function showBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && Number.isInteger(v / 1024)) {
    v /= 1024;
    i++;
  }
  return `${v}${units[i]}`;
}

const planColumns: ReadonlyArray<Column<Plan>> = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'DISPLAY NAME', value: (p) => p.displayName },
  { header: 'USERS', value: (p) => showLimit('activeUsers', p.limits.activeUsers) },
  { header: 'DATABASE', value: (p) => showLimit('databaseBytes', p.limits.databaseBytes) },
  { header: 'FILESTORE', value: (p) => showLimit('filestoreBytes', p.limits.filestoreBytes) },
  { header: 'BACKUPS', value: (p) => showLimit('backupBytes', p.limits.backupBytes) },
  { header: 'TRIAL', value: (p) => (p.trialDays ? `${p.trialDays}d` : '') },
  { header: 'AT LIMIT', value: (p) => p.atLimit.action },
  { header: 'VERSION', value: (p) => p.version },
];

export function planFields(p: Plan): Array<readonly [string, unknown]> {
  return [
    ['name', p.name],
    ['display name', p.displayName],
    ['odoo version', p.odooVersion],
    ...limitNames.map((n) => [n, showLimit(n, p.limits[n])] as const),
    ['allowed modules', p.allowedModules === null ? 'any' : p.allowedModules],
    ['default modules', p.defaultModules],
    ['trial days', p.trialDays],
    ['at limit', `${p.atLimit.action} (grace ${p.atLimit.graceSeconds}s)`],
    ['metered', p.metered],
    ['version', p.version],
    ['created', p.createdAt],
    ['updated', p.updatedAt],
  ];
}

/** Each limit's flag, and the option key commander gives it. */
const limitFlags = {
  activeUsers: { flag: 'active-users', key: 'activeUsers', what: 'active internal users at most' },
  databaseBytes: { flag: 'database-size', key: 'databaseSize', what: 'database size at most' },
  filestoreBytes: { flag: 'filestore-size', key: 'filestoreSize', what: 'filestore size at most' },
  backupBytes: { flag: 'backup-size', key: 'backupSize', what: 'backup storage at most' },
  backupGenerations: { flag: 'backup-generations', key: 'backupGenerations', what: 'backups kept at most' },
} as const satisfies Record<LimitName, { flag: string; key: string; what: string }>;

interface PutOptions {
  file?: string;
  displayName?: string;
  odooVersion?: string;
  activeUsers?: number | 'unlimited';
  databaseSize?: number | 'unlimited';
  filestoreSize?: number | 'unlimited';
  backupSize?: number | 'unlimited';
  backupGenerations?: number | 'unlimited';
  allowedModules?: string[] | 'any';
  defaultModules?: string[];
  trialDays?: number;
  atLimit?: 'block' | 'suspend';
  graceSeconds?: number;
  metered?: string;
  force?: boolean;
}

/** The plan's input fields of what `get` answers (the rest is the catalog's own). */
function inputOf(p: Plan): Record<string, unknown> {
  const { version: _v, createdAt: _c, updatedAt: _u, ...input } = p;
  return input;
}

/** A page of the quota routes (`next`) as the list printer reads pages (`nextCursor`). */
export function asPage<T>(page: { items: T[]; next?: string }): Page<T> {
  return { items: page.items, nextCursor: page.next ?? null };
}

/** The JSON document of `--file` (`-` for stdin): a plan object. */
async function readPlanFile(ctx: Context, file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = file === '-' ? await readStdin(ctx.io) : await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new UsageError(`${file} does not hold a JSON object (a plan)`);
  // A file saved from `plans get --output json` holds the catalog's fields too: they are not input.
  const { version: _v, createdAt: _c, updatedAt: _u, ...input } = doc as Record<string, unknown>;
  return input;
}

/** `metered` flag: `none`, `stripe:<meter event name>` or `paddle:<price id>`. */
function parseMetered(text: string): unknown {
  if (text === 'none') return null;
  const [provider, ...rest] = text.split(':');
  const id = rest.join(':');
  if (provider === 'stripe' && id) return { provider, meterEventName: id };
  if (provider === 'paddle' && id) return { provider, priceId: id };
  throw new UsageError('--metered takes none, stripe:<meter event name> or paddle:<price id>');
}

/** `plans list|get|put|delete`: the plan catalog of the quota service. */
export function registerPlans(program: Command, io: Io): void {
  const plans = program
    .command('plans')
    .description('the plan catalog: limits, allowed modules, trials and what happens over a limit');

  plans
    .command('list')
    .description('list the plans by name')
    .option('--limit <n>', 'rows per page (1 to 200)', positiveInt)
    .option('--cursor <cursor>', 'start at this page')
    .option('--all', 'follow the pages to the end')
    .action(
      action<PagingOptions>(io, async (ctx, _args, opts) => {
        const api = await ctx.api();
        const pages = pagesOf(
          (page) =>
            unwrap(
              api.GET('/api/v1/plans', {
                params: {
                  query: {
                    ...(page.limit !== undefined ? { limit: page.limit } : {}),
                    ...(page.cursor !== undefined ? { after: page.cursor } : {}),
                  },
                },
              }),
            ).then(asPage),
          opts,
        );
        await printPages(ctx, planColumns, pages, opts);
      }),
    );

  plans
    .command('get')
    .description('show a plan (with --output json, a document `plans put --file` takes back)')
    .argument('<plan>', 'its name')
    .action(
      action(io, async (ctx, [name]) => {
        const api = await ctx.api();
        const plan = await unwrap(api.GET('/api/v1/plans/{plan}', { params: { path: { plan: name! } } }));
        ctx.out.record(plan, planFields(plan));
      }),
    );

  const limitOption = (name: LimitName) => {
    const { flag, what } = limitFlags[name];
    return new Option(
      `--${flag} <${byteLimits.has(name) ? 'size' : 'n'}>`,
      `${what} (${byteLimits.has(name) ? 'bytes, or with a unit: 500MB, 2GiB' : 'a number'}; "unlimited")`,
    ).argParser((t) => parseLimit(t, byteLimits.has(name)));
  };

  plans
    .command('put')
    .description(
      'create a plan or replace it: from --file (JSON; - for stdin), else from the plan as it is; flags change fields on top',
    )
    .argument('<plan>', 'its name')
    .option('--file <path>', 'a JSON plan, as `plans get --output json` prints it (- for stdin)')
    .option('--display-name <text>', 'the name to show')
    .option('--odoo-version <version>', 'check module names against this Odoo version (e.g. 18.0)')
    .addOption(limitOption('activeUsers'))
    .addOption(limitOption('databaseBytes'))
    .addOption(limitOption('filestoreBytes'))
    .addOption(limitOption('backupBytes'))
    .addOption(limitOption('backupGenerations'))
    .option(
      '--allowed-modules <list>',
      'modules a tenant may install, comma-separated; "any"',
      moduleList(true),
    )
    .option('--default-modules <list>', 'modules installed at creation, comma-separated', moduleList(false))
    .option('--trial-days <n>', 'trial length in days (0: no trial)', nonNegativeInt)
    .addOption(
      new Option(
        '--at-limit <action>',
        'over a limit: refuse module installs, or also suspend after the grace',
      ).choices(['block', 'suspend']),
    )
    .option('--grace-seconds <n>', 'seconds over a limit before a suspension', nonNegativeInt)
    .option('--metered <how>', 'usage-priced: none, stripe:<meter event name> or paddle:<price id>')
    .option('--force', 'accept limits below what tenants on the plan use now')
    .action(
      action<PutOptions>(io, async (ctx, [name], opts) => {
        const api = await ctx.api();
        let base: Record<string, unknown>;
        let isNew = false;
        if (opts.file) base = await readPlanFile(ctx, opts.file);
        else
          try {
            const plan = await unwrap(api.GET('/api/v1/plans/{plan}', { params: { path: { plan: name! } } }));
            base = inputOf(plan);
          } catch (e) {
            if (!(e instanceof ApiProblemError && e.status === 404)) throw e;
            base = {};
            isNew = true;
          }
        const limits = { ...((base.limits as Record<string, unknown> | undefined) ?? {}) };
        for (const n of limitNames) {
          const given = opts[limitFlags[n].key];
          if (given !== undefined) limits[n] = given === 'unlimited' ? null : given;
          // A new plan made from flags: a limit not given is none.
          else if (isNew && !(n in limits)) limits[n] = null;
        }
        if (base.name !== undefined && base.name !== name)
          throw new UsageError(`the file is plan "${String(base.name)}", not "${name}"`);
        // The path names the plan; the body is the rest of it.
        const { name: _name, ...rest } = base;
        const body: Record<string, unknown> = { ...rest };
        if (Object.keys(limits).length > 0) body.limits = limits;
        if (opts.displayName !== undefined) body.displayName = opts.displayName;
        if (opts.odooVersion !== undefined) body.odooVersion = opts.odooVersion;
        if (opts.allowedModules !== undefined)
          body.allowedModules = opts.allowedModules === 'any' ? null : opts.allowedModules;
        if (opts.defaultModules !== undefined) body.defaultModules = opts.defaultModules;
        if (opts.trialDays !== undefined) body.trialDays = opts.trialDays === 0 ? null : opts.trialDays;
        if (opts.atLimit !== undefined || opts.graceSeconds !== undefined) {
          const at = (base.atLimit as { action?: string; graceSeconds?: number } | undefined) ?? {};
          body.atLimit = {
            action: opts.atLimit ?? at.action ?? 'block',
            graceSeconds: opts.graceSeconds ?? at.graceSeconds ?? 0,
          };
        }
        if (opts.metered !== undefined) body.metered = parseMetered(opts.metered);
        if (opts.force) body.force = true;
        const answer = await unwrap(
          api.PUT('/api/v1/plans/{plan}', {
            params: { path: { plan: name! } },
            // Checked by the API against its schema: a missing field or a bad value is its 400.
            body: body as never,
          }),
        );
        ctx.out.record(answer, [['created', answer.created], ...planFields(answer.plan)]);
      }),
    );

  plans
    .command('delete')
    .description('delete a plan no tenant is on')
    .argument('<plan>', 'its name')
    .option('--yes', 'do not ask: needed when not on a terminal')
    .action(
      action<{ yes?: boolean }>(io, async (ctx, [name], opts) => {
        if (!opts.yes) {
          if (!ctx.interactive)
            throw new UsageError(`refusing to delete plan ${name} without --yes when not on a terminal`);
          const typed = await promptLine(ctx.io, `Type the name of the plan to delete (${name}): `);
          if (typed !== name) throw new UsageError(`not deleted: "${typed}" is not ${name}`);
        }
        const api = await ctx.api();
        await unwrap(api.DELETE('/api/v1/plans/{plan}', { params: { path: { plan: name! } } }));
        ctx.out.json({ deleted: name });
        ctx.out.say(`Plan ${name} deleted`);
      }),
    );
}
