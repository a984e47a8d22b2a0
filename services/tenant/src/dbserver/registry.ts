import { createPool, type Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { DbServerAdmin } from './admin.ts';

/** Admin connections to the registered database servers, opened on first use, closed together. */
export class DbServers {
  private readonly open = new Map<string, { pool: Pool; admin: DbServerAdmin }>();

  constructor(
    private readonly servicePool: Pool,
    private readonly logger: Logger,
    /** Connections per server: one for each operation that can run at once, and a spare. */
    private readonly poolSize: number,
  ) {}

  async admin(serverId: string): Promise<DbServerAdmin> {
    const hit = this.open.get(serverId);
    if (hit) return hit.admin;
    const { rows } = await this.servicePool.query<{ admin_url: string }>(
      'SELECT admin_url FROM database_servers WHERE id = $1',
      [serverId],
    );
    const url = rows[0]?.admin_url;
    if (!url) throw new Error(`database server ${serverId} is not registered`);
    const pool = createPool({ url, name: 'ocp-tenant-admin', max: this.poolSize, logger: this.logger });
    const entry = { pool, admin: new DbServerAdmin(pool, url) };
    this.open.set(serverId, entry);
    return entry.admin;
  }

  /** Registers (or updates) the default server from the configuration; returns its id. */
  async registerDefault(adminUrl: string): Promise<string> {
    const { rows } = await this.servicePool.query<{ id: string }>(
      `INSERT INTO database_servers (name, admin_url) VALUES ('default', $1)
       ON CONFLICT (name) DO UPDATE SET admin_url = EXCLUDED.admin_url RETURNING id`,
      [adminUrl],
    );
    return rows[0]!.id;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((e) => e.pool.end()));
    this.open.clear();
  }
}
