import { type NatsPermissions, permissionsOf } from './permissions.ts';

/** One user of the nats-server: an identity of the catalog and the public key of its NKEY. */
export interface NatsUser {
  identity: string;
  /** The user's public NKEY (`U...`); the seed stays with the user. */
  nkey: string;
}

/** The `authorization` block of a nats-server configuration, as nats-server reads it. */
export interface NatsAuthorization {
  users: Array<{ nkey: string; permissions?: NatsPermissions }>;
}

/** The authorization of `users`, each with the permissions of its identity. */
export function natsAuthorization(users: readonly NatsUser[]): NatsAuthorization {
  const seen = new Set<string>();
  return {
    users: users.map(({ identity, nkey }) => {
      if (!/^U[A-Z2-7]{55}$/.test(nkey))
        throw new RangeError(
          `the NKEY of "${identity}" is not a user public key (U followed by 55 characters)`,
        );
      if (seen.has(nkey)) throw new RangeError(`the NKEY of "${identity}" is given to another identity too`);
      seen.add(nkey);
      const permissions = permissionsOf(identity);
      return permissions ? { nkey, permissions } : { nkey };
    }),
  };
}

/**
 * The `authorization` block as nats-server configuration text, each user under a comment naming
 * its identity. Values are JSON, which nats-server reads: every string quoted, so a `$JS...` subject
 * is never taken for a variable. Users connect to the global account, where JetStream stays enabled.
 */
export function renderAuthorization(users: readonly NatsUser[]): string {
  const { users: rendered } = natsAuthorization(users);
  const entries = rendered.map(
    (u, i) => `    # ${users[i]?.identity}\n    ${JSON.stringify(u, null, 2).replaceAll('\n', '\n    ')}`,
  );
  return `authorization: {\n  users: [\n${entries.join(',\n')}\n  ]\n}\n`;
}

/** Options of `renderServerConfig`. */
export interface ServerConfigOptions {
  host: string;
  port: number;
  /** The JetStream store directory. */
  storeDir: string;
  users: readonly NatsUser[];
}

/** A whole nats-server configuration with JetStream and `users` (JSON, which nats-server reads). */
export function renderServerConfig(opts: ServerConfigOptions): string {
  return `${JSON.stringify(
    {
      host: opts.host,
      port: opts.port,
      jetstream: { store_dir: opts.storeDir },
      authorization: natsAuthorization(opts.users),
    },
    null,
    2,
  )}\n`;
}
