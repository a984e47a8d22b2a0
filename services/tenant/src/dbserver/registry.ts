import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { type Keyring, needsReseal, openSecret, type SealedPlace, sealSecret } from '../domain/secrets.ts';
import { DbServerAdmin } from './admin.ts';

/** Where a server's sealed admin URL lives: the seal is bound to it. */
export const adminUrlPlace = (serverId: string): SealedPlace => ({
  table: 'database_servers',
  rowId: serverId,
  column: 'admin_url_sealed',
});

/** Admin connections to the registered database servers, opened on first use, closed together. */
export class DbServers {
  private readonly open = new Map<string, { pool: Pool; admin: DbServerAdmin }>();

  constructor(
    private readonly servicePool: Pool,
    private readonly logger: Logger,
    /** Connections per server: one for each operation that can run at once, and a spare. */
    private readonly poolSize: number,
    /** Opens the servers' admin URLs, which are kept sealed. */
    private readonly secrets: Keyring,
  ) {}

  async admin(serverId: string): Promise<DbServerAdmin> {
    const hit = this.open.get(serverId);
    if (hit) return hit.admin;
    const { rows } = await this.servicePool.query<{ admin_url_sealed: string | null }>(
      'SELECT admin_url_sealed FROM database_servers WHERE id = $1',
      [serverId],
    );
    const sealed = rows[0]?.admin_url_sealed;
    if (!sealed)
      throw new Error(`database server ${serverId} is not registered, or its credentials are not sealed`);
    const url = openSecret(this.secrets, sealed, adminUrlPlace(serverId));
    const pool = createPool({ url, name: 'ocp-tenant-admin', max: this.poolSize, logger: this.logger });
    const entry = { pool, admin: new DbServerAdmin(pool, url) };
    this.open.set(serverId, entry);
    return entry.admin;
  }

  /**
   * Registers the default server from the configuration, or seals its URL again (a changed URL,
   * or a newer key); returns its id. The URL is stored sealed only.
   */
  async registerDefault(adminUrl: string): Promise<string> {
    const id = randomUUID();
    const { rows } = await this.servicePool.query<{ id: string }>(
      `INSERT INTO database_servers (id, name, admin_url_sealed) VALUES ($1, 'default', $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [id, sealSecret(this.secrets, adminUrl, adminUrlPlace(id))],
    );
    const registered = rows[0]!.id;
    if (registered !== id) {
      await this.servicePool.query(
        'UPDATE database_servers SET admin_url_sealed = $2, admin_url = NULL WHERE id = $1',
        [registered, sealSecret(this.secrets, adminUrl, adminUrlPlace(registered))],
      );
    }
    return registered;
  }

  /**
   * Registers another server under `name`, its URL sealed; the admin must be able to create
   * databases there. Answers its id; a name taken is a unique violation for the caller to report.
   */
  async register(name: string, adminUrl: string, maxTenants: number | undefined): Promise<string> {
    const id = randomUUID();
    await this.servicePool.query(
      `INSERT INTO database_servers (id, name, admin_url_sealed, max_tenants) VALUES ($1, $2, $3, COALESCE($4, 1000))`,
      [id, name, sealSecret(this.secrets, adminUrl, adminUrlPlace(id)), maxTenants ?? null],
    );
    return id;
  }

  /**
   * Seals every admin URL still kept in clear (rows from before sealing) and seals again those
   * under an older key or format, so that an old key can leave the keyring. A row changed by
   * another replica meanwhile is left to its change.
   */
  async sealStoredCredentials(): Promise<number> {
    const { rows } = await this.servicePool.query<{
      id: string;
      admin_url: string | null;
      admin_url_sealed: string | null;
    }>('SELECT id, admin_url, admin_url_sealed FROM database_servers');
    let sealed = 0;
    for (const row of rows) {
      if (row.admin_url_sealed && !needsReseal(this.secrets, row.admin_url_sealed)) continue;
      const url = row.admin_url ?? openSecret(this.secrets, row.admin_url_sealed!, adminUrlPlace(row.id));
      const { rowCount } = await this.servicePool.query(
        `UPDATE database_servers SET admin_url_sealed = $2, admin_url = NULL
         WHERE id = $1 AND admin_url IS NOT DISTINCT FROM $3 AND admin_url_sealed IS NOT DISTINCT FROM $4`,
        [row.id, sealSecret(this.secrets, url, adminUrlPlace(row.id)), row.admin_url, row.admin_url_sealed],
      );
      sealed += rowCount ?? 0;
    }
    if (sealed > 0) this.logger.info({ servers: sealed }, 'sealed database server credentials again');
    return sealed;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((e) => e.pool.end()));
    this.open.clear();
  }
}
