/**
 * An outbox relay in a process of its own, for the failover test: it publishes the outbox of
 * argv[2] to the NATS server at argv[3] with a lease of argv[4] ms, and prints `leading` and
 * `standing by` whenever its role changes.
 */

import { createBus } from '../../bus/src/index.ts';
import { connectForever, testLogger } from '../../bus/test/helpers.ts';
import { createOutboxRelay, createPool } from '../src/index.ts';

const [databaseUrl, natsUrl, leaseMs] = process.argv.slice(2);
if (!databaseUrl || !natsUrl || !leaseMs)
  throw new Error('usage: relay-process <database url> <nats url> <lease ms>');
const logger = testLogger();
const pool = createPool({ url: databaseUrl, name: 'relay-process', logger });
const nc = await connectForever(natsUrl);
const bus = await createBus({ nc, logger, service: 'relay-process' });
const relay = createOutboxRelay({
  pool,
  publish: bus.publishRaw,
  logger,
  pollMs: 100,
  leaseMs: Number(leaseMs),
});
relay.start();

let was: boolean | undefined;
setInterval(() => {
  const now = relay.leading();
  if (now !== was) process.stdout.write(now ? 'leading\n' : 'standing by\n');
  was = now;
}, 20);
