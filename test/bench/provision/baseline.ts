import pg from 'pg';
import { runConcurrently } from './stats.ts';

/** One batch of a side: each item's duration and the wall time of the whole batch, in ms. */
export interface Batch {
  samples: number[];
  wallMs: number;
}

/** The floor the API is held to: the bare clone statement, as the same superuser. */
export interface Baseline {
  /** Clones the template `count` times, `concurrency` at a time, each worker on its own connection. */
  run(count: number): Promise<Batch>;
  /** Drops every database it made, then closes its connections. */
  close(): Promise<void>;
}

/**
 * Opens `concurrency` connections up front, so a statement's time is the statement alone, as it
 * is for the tenant service, whose admin pool is warm after the warm-up.
 */
export async function openBaseline(opts: {
  adminUrl: string;
  template: string;
  /** The role that owns each clone (`OWNER`), as the tenant service names its runtime's role. */
  owner?: string;
  /** The platform's tenant prefix: whatever this leaves behind, the platform's cleanup drops too. */
  namePrefix: string;
  concurrency: number;
}): Promise<Baseline> {
  const clients: pg.Client[] = [];
  const made: string[] = [];
  let seq = 0;
  try {
    for (let i = 0; i < opts.concurrency; i++) {
      const c = new pg.Client({ connectionString: opts.adminUrl, application_name: 'ocp-bench-raw' });
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
    }
  } catch (e) {
    await Promise.allSettled(clients.map((c) => c.end()));
    throw e;
  }
  const template = pg.escapeIdentifier(opts.template);
  const owner = opts.owner ? ` OWNER ${pg.escapeIdentifier(opts.owner)}` : '';

  return {
    async run(count) {
      const samples: number[] = [];
      const wallMs = await runConcurrently(count, opts.concurrency, async (_, worker) => {
        const name = `${opts.namePrefix}raw_${String(seq++).padStart(4, '0')}`;
        const started = performance.now();
        await clients[worker]!.query(
          `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${template}${owner}`,
        );
        samples.push(performance.now() - started);
        made.push(name);
      });
      return { samples, wallMs };
    },
    async close() {
      try {
        await runConcurrently(made.length, clients.length, async (i, worker) => {
          await clients[worker]!.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(made[i]!)}`);
        });
      } finally {
        await Promise.allSettled(clients.map((c) => c.end()));
      }
    },
  };
}
