import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { type Keyring, openSecret, type SealedPlace, sealSecret } from '../domain/secrets.ts';

/** Where a tenant's sealed database password lives: the seal is bound to it. */
export const passwordPlace = (tenantId: string): SealedPlace => ({
  table: 'tenants',
  rowId: tenantId,
  column: 'db_password_sealed',
});

/**
 * Seals again every tenant password that is not sealed under the ring's newest key in the current
 * format (the first format had no key id and no row binding), a page at a time. A row changed by
 * another replica meanwhile keeps that change. Returns how many it sealed.
 */
export async function resealTenantPasswords(pool: Pool, ring: Keyring, logger: Logger): Promise<number> {
  const current = `v2.${ring.keys[0].id}.%`;
  let after = '00000000-0000-0000-0000-000000000000';
  let count = 0;
  for (;;) {
    const { rows } = await pool.query<{ id: string; db_password_sealed: string }>(
      `SELECT id, db_password_sealed FROM tenants WHERE id > $1 AND db_password_sealed NOT LIKE $2
       ORDER BY id LIMIT 500`,
      [after, current],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const place = passwordPlace(row.id);
      const plain = openSecret(ring, row.db_password_sealed, place);
      const { rowCount } = await pool.query(
        'UPDATE tenants SET db_password_sealed = $2 WHERE id = $1 AND db_password_sealed = $3',
        [row.id, sealSecret(ring, plain, place), row.db_password_sealed],
      );
      count += rowCount ?? 0;
    }
    after = rows.at(-1)!.id;
  }
  if (count > 0) logger.info({ tenants: count }, 'sealed tenant database passwords again');
  return count;
}
