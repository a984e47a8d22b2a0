/**
 * Sets the backup bucket's lifecycle rules from the backup service's config (the store and
 * BACKUP_RETENTION variables only): incomplete multipart uploads are aborted after a day, and
 * backups expire a margin after the longest any plan keeps them. Run once per bucket, and again
 * when BACKUP_RETENTION grows. Exits 0 when applied, when the store has no lifecycle rules (a
 * directory, or a server that does not implement them: said, with what it means), 1 when the
 * store refused (no such bucket, access denied), 2 when the config is invalid.
 */
import { ConfigError } from '@ocp/service-kit';
import { storeOf } from './app.ts';
import { parseStoreConfig, type StoreConfig } from './config.ts';
import { bucketLifecycle } from './domain/lifecycle.ts';
import { parseRetention } from './domain/retention.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

async function setupBucket(config: StoreConfig): Promise<number> {
  const byPlan = parseRetention(config.BACKUP_RETENTION).byPlan;
  const plan = bucketLifecycle(byPlan, config.BACKUP_FINAL_KEEP_DAYS);
  const store = storeOf(config);
  if (config.BACKUP_STORE === 'dir') {
    say(`${store.description}: nothing to apply; a directory store has no lifecycle rules.`);
    say('The service removes old backups itself (retention), and the partial file a backup cut off by');
    say('a crash leaves (<key>.partial-<uuid>, never listed as a backup) once it is a day old.');
    return 0;
  }
  const expiry = plan.rules.map((r) => `objects under ${r.prefix} expire after ${days(r.expireDays)}`);
  const result = await store.applyLifecycle(plan.rules, plan.abortIncompleteDays);
  if (!result.applied) {
    // A server that answers NotImplemented before looking at the bucket would hide a missing one.
    for await (const _ of store.list(plan.rules[0]?.prefix ?? '')) break;
    say(
      `${store.description}: the server does not support bucket lifecycle rules (it answered NotImplemented).`,
    );
    say('Nothing was applied. What that means:');
    say('  - parts of multipart uploads cut off by a crash are never aborted by the server: they use');
    say("    space until removed with the server's own tools;");
    say('  - backups are removed only by the service (retention): if it stops pruning, they stay.');
    say(`Wanted: incomplete uploads aborted after ${days(plan.abortIncompleteDays)}; ${expiry.join('; ')}.`);
    return 0;
  }
  say(`${store.description}: lifecycle rules applied (they replace any the bucket had):`);
  say(
    `  abort-incomplete-uploads: multipart uploads left incomplete are aborted after ${days(plan.abortIncompleteDays)}`,
  );
  for (const [i, r] of plan.rules.entries()) say(`  ${r.id}: ${expiry[i]}`);
  const plans = [...byPlan].map(
    ([name, p]) => `${name}: ${p.daily} daily, ${p.weekly} weekly, ${p.monthly} monthly`,
  );
  say(
    `The longest retention is ${days(plan.longestRetentionDays)} (${plans.join('; ')}); the service prunes first, the rule is the safety net.`,
  );
  say(
    'The rule goes by age alone: a final backup of a deleted tenant, or the last backup of a tenant no longer backed up, expires too.',
  );
  return 0;
}

let config: StoreConfig;
try {
  config = parseStoreConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`setup-bucket: ${err.message}\n`);
  process.exit(2);
}
try {
  process.exitCode = await setupBucket(config);
} catch (err) {
  process.stderr.write(`setup-bucket: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
