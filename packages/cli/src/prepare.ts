/**
 * `./run test` runs this before the checks: it installs what the tests need from the
 * distribution's packages (see prerequisites.ts), or stops with the one command to run.
 */
import { searchPathOf } from './config.ts';
import { StartError } from './errors.ts';
import { plainLog } from './log.ts';
import {
  CHROMIUM,
  ensurePrerequisites,
  KUBECTL,
  NATS_SERVER,
  NGINX,
  POSTGRES_CLIENT,
  PROMTOOL,
} from './prerequisites.ts';

// Plain text: this runs before the tests, for a person or a CI log, not for a log collector.
const log = plainLog();
try {
  await ensurePrerequisites({
    needed: [NATS_SERVER, POSTGRES_CLIENT, CHROMIUM, KUBECTL, NGINX, PROMTOOL],
    searchPath: searchPathOf(process.env.PATH),
    log,
    rerun: '`./run test`',
  });
} catch (err) {
  log.error(err instanceof StartError ? err.message : String(err));
  process.exit(1);
}
