import { parseArgs } from 'node:util';
import { positiveInt } from '../support/args.ts';

export interface BenchOptions {
  /** pgbench scale of the database (`pgbench -i -s`): 68 is about 1 GB. */
  scale: number;
  /** 1: one pass; N > 1: a second pass with a database N times larger (pgbench scale x N). */
  sizeFactor: number;
  /** The filestore beside the database, the same in every pass. */
  filestoreMb: number;
  files: number;
  /** Each timed step runs this many times; the best is reported. */
  repeat: number;
  help: boolean;
}

export const usage = `pnpm bench:backup [--scale 68] [--size-factor 1 | --larger] [--filestore-mb 200] [--files 2000] [--repeat 1]
  env: BENCH_SCALE, BENCH_SIZE_FACTOR, BENCH_REPEAT; TEST_DATABASE_URL picks the PostgreSQL server.
  --scale is pgbench's (68 is about 1 GB); --larger (= --size-factor 4) runs a second pass with a
  database four times larger, to compare the worker's peak RSS; the filestore stays the same.
  --repeat N runs each timed step N times and reports the best of them.`;

const int = (name: string, raw: string | undefined, fallback: number, min = 1) =>
  positiveInt(name, raw, fallback, min, usage);

/** Options from the command line, then the environment, then the defaults of the issue (1 GB, 200 MB). */
export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  // `pnpm bench:backup -- --scale 10` hands the separator on; options after it are still ours.
  const args = argv.filter((a) => a !== '--');
  const { values } = parseArgs({
    args,
    options: {
      scale: { type: 'string' },
      'size-factor': { type: 'string' },
      larger: { type: 'boolean' },
      'filestore-mb': { type: 'string' },
      files: { type: 'string' },
      repeat: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.larger && values['size-factor'] !== undefined)
    throw new Error(`--larger is --size-factor 4: give one of them\n${usage}`);
  return {
    scale: int('--scale', values.scale ?? env.BENCH_SCALE, 68),
    sizeFactor: values.larger ? 4 : int('--size-factor', values['size-factor'] ?? env.BENCH_SIZE_FACTOR, 1),
    filestoreMb: int('--filestore-mb', values['filestore-mb'], 200, 0),
    files: int('--files', values.files, 2000),
    repeat: int('--repeat', values.repeat ?? env.BENCH_REPEAT, 1),
    help: values.help ?? false,
  };
}
