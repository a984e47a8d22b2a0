/**
 * Prints the `authorization` block of a nats-server configuration: each identity of the contracts
 * catalog (the services, `observer`, `admin`) with its public NKEY and its permissions.
 *
 *   pnpm nats:config --seeds-dir <dir>        makes the seeds missing in <dir> (<identity>.nk, 0600)
 *                                             and prints the block for their public keys
 *   pnpm nats:config tenant=U... audit=U...   prints the block for public keys made elsewhere
 *
 * Only public keys go into the block; the seeds stay where they were made (secrets of each service).
 */
import { identities, renderAuthorization } from '@ocp/bus';
import { ensureNatsSeeds } from '../src/nats.ts';

function fail(message: string): never {
  process.stderr.write(`nats:config: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2).filter((a) => a !== '--');
const at = args.indexOf('--seeds-dir');
if (at !== -1) {
  const dir = args[at + 1] ?? fail('--seeds-dir needs a directory');
  const { users } = await ensureNatsSeeds(dir);
  process.stdout.write(renderAuthorization(users));
} else {
  if (args.length === 0) fail('give --seeds-dir <dir>, or <identity>=<public NKEY> for each identity');
  const known = identities();
  const users = args.map((a) => {
    const [identity = '', nkey = ''] = a.split('=', 2);
    if (!known.includes(identity)) fail(`"${identity}" is not an identity; they are: ${known.join(', ')}`);
    return { identity, nkey };
  });
  try {
    process.stdout.write(renderAuthorization(users));
  } catch (err) {
    fail((err as Error).message);
  }
}
