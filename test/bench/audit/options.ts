import { parseArgs } from 'node:util';
import { envPairs, positiveInt } from '../support/args.ts';

export interface BenchOptions {
  /** Entries in the log before anything is measured. */
  entries: number;
  /** Events published through JetStream in each measured append phase (live, then catch-up). */
  publish: number;
  /** Filtered queries ("one tenant, one day") timed on each side. */
  queries: number;
  tenants: number;
  days: number;
  /** Entries per transaction while seeding. */
  seedBatch: number;
  /** Extra settings of the audit service (`--env KEY=VALUE`), to compare configurations. */
  auditEnv: Record<string, string>;
  help: boolean;
}

export const usage = `pnpm bench:audit [--entries 1000000] [--publish 50000] [--queries 2000] [--tenants 1000] [--days 30]
                 [--seed-batch 5000] [--env KEY=VALUE ...]
  env: BENCH_ENTRIES, BENCH_PUBLISH, BENCH_QUERIES; TEST_DATABASE_URL picks the PostgreSQL server.
  --env sets an audit service setting, e.g. --env APPEND_BATCH_SIZE=1000 --env APPEND_BATCH_WAIT_MS=20.`;

const int = (name: string, raw: string | undefined, fallback: number, min = 1) =>
  positiveInt(name, raw, fallback, min, usage);

/** Options from the command line, then the environment, then the defaults of the issue. */
export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  // `pnpm bench:audit -- --entries 5000` hands the separator on; options after it are still ours.
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      entries: { type: 'string' },
      publish: { type: 'string' },
      queries: { type: 'string' },
      tenants: { type: 'string' },
      days: { type: 'string' },
      'seed-batch': { type: 'string' },
      env: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const auditEnv = envPairs(values.env);
  return {
    entries: int('--entries', values.entries ?? env.BENCH_ENTRIES, 1_000_000, 0),
    publish: int('--publish', values.publish ?? env.BENCH_PUBLISH, 50_000),
    queries: int('--queries', values.queries ?? env.BENCH_QUERIES, 2_000),
    tenants: int('--tenants', values.tenants, 1_000),
    days: int('--days', values.days, 30),
    seedBatch: int('--seed-batch', values['seed-batch'], 5_000),
    auditEnv,
    help: values.help ?? false,
  };
}
