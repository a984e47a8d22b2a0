import pg from 'pg';

/**
 * Connections to the tenant database servers, at most `maxPerServer` open on each server at
 * once. A database needs a connection of its own (PostgreSQL has no way to switch database on
 * one), so a pool per server cannot be reused across tenants: each measurement opens its
 * connection, runs its queries and closes it, inside one of the server's slots. Servers are told
 * apart by host and port, so two names of one server share its slots.
 */
export interface ServerConnections {
  /**
   * Runs `fn` with a connection to `database` (null: the admin URL's own database) on the server
   * `server` (its name or id; null or unknown: the default server), waiting for a slot first.
   * One call holds one slot: `fn` must not open another connection.
   */
  withDatabase<T>(
    server: string | null,
    database: string | null,
    fn: (c: pg.Client) => Promise<T>,
  ): Promise<T>;
  /** Connections open now, over all servers (for metrics and tests). */
  open(): number;
}

export interface ServerConnectionsOptions {
  /** The default server's admin URL (QUOTA_DB_ADMIN_URL). */
  defaultUrl: string;
  /** Other servers' admin URLs by name or id. */
  servers?: ReadonlyMap<string, string>;
  maxPerServer: number;
  /** Shown in pg_stat_activity, so the quota service's connections can be told apart. */
  applicationName?: string;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}

class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}
  async take(): Promise<void> {
    if (this.used < this.max) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    // The slot passes to the next waiter without being freed, so no one can slip in between.
    if (next) next();
    else this.used--;
  }
}

/** The URL of `database` on the server of `url`, with everything else of `url` kept. */
export function urlOfDatabase(url: string, database: string | null): string {
  if (database === null) return url;
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export function createServerConnections(opts: ServerConnectionsOptions): ServerConnections {
  const slotsByHost = new Map<string, Slots>();
  let open = 0;
  const urlOf = (server: string | null) => (server && opts.servers?.get(server)) || opts.defaultUrl;
  const slotsOf = (url: string) => {
    const u = new URL(url);
    const key = `${u.searchParams.get('host') ?? u.hostname}:${u.port || '5432'}`;
    let s = slotsByHost.get(key);
    if (!s) {
      s = new Slots(opts.maxPerServer);
      slotsByHost.set(key, s);
    }
    return s;
  };
  return {
    async withDatabase(server, database, fn) {
      const url = urlOf(server);
      const slots = slotsOf(url);
      await slots.take();
      try {
        const client = new pg.Client({
          connectionString: urlOfDatabase(url, database),
          application_name: opts.applicationName ?? 'ocp-quota-measure',
          connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
          statement_timeout: opts.statementTimeoutMs ?? 30_000,
        });
        // A session ended by the server (the database dropped under us) fails the next query.
        client.on('error', () => {});
        open++;
        try {
          await client.connect();
          return await fn(client);
        } finally {
          await client.end().catch(() => {});
          open--;
        }
      } finally {
        slots.give();
      }
    },
    open: () => open,
  };
}
