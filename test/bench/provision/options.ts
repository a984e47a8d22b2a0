import { parseArgs } from 'node:util';
import { envPairs, positiveInt } from '../support/args.ts';

export interface BenchOptions {
  /** Tenants provisioned through the API, and databases cloned raw: the same number of each. */
  n: number;
  concurrency: number;
  /** Of each side, run first and not counted. */
  warmup: number;
  /**
   * `odoo`: a runtime (the protocol double) whose template is the size of a fresh Odoo 18.0
   * database; `builtin`: the built-in template of a platform without a runtime.
   */
  template: 'odoo' | 'builtin';
  /** Extra settings of the tenant service (`--env KEY=VALUE`), to compare configurations. */
  tenantEnv: Record<string, string>;
  help: boolean;
}

export const usage = `pnpm bench:provision [--n 50] [--concurrency 10] [--warmup 3] [--template odoo|builtin] [--env KEY=VALUE ...]
  env: BENCH_N, BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_TEMPLATE; TEST_DATABASE_URL picks the PostgreSQL server.
  --template odoo (the default) registers a runtime whose template is the size of a fresh Odoo 18.0
  database (121 tables, about 20 MB, a 180 KB filestore); builtin uses the built-in template.
  --env sets a tenant service setting, e.g. --env OUTBOX_POLL_MS=1000 --env WORKER_CONCURRENCY=20.`;

const int = (name: string, raw: string | undefined, fallback: number, min = 1) =>
  positiveInt(name, raw, fallback, min, usage);

/** Options from the command line, then the environment, then the defaults of the issue (50, 10). */
export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  // `pnpm bench:provision -- --n 5` hands the separator on; options after it are still ours.
  const args = argv.filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      warmup: { type: 'string' },
      template: { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const tenantEnv = envPairs(values.env);
  const template = values.template ?? env.BENCH_TEMPLATE ?? 'odoo';
  if (template !== 'odoo' && template !== 'builtin')
    throw new Error(`--template is odoo or builtin, not "${template}"\n${usage}`);
  return {
    n: int('--n', values.n ?? env.BENCH_N, 50),
    concurrency: int('--concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 10),
    warmup: int('--warmup', values.warmup ?? env.BENCH_WARMUP, 3, 0),
    template,
    tenantEnv,
    help: values.help ?? false,
  };
}
