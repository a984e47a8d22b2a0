import type { RpcHandler } from '@ocp/bus';
import type { BackupWindow } from '@ocp/contracts';
import { askTenantSource } from './commands.ts';
import type { BackupContext } from './context.ts';
import { WINDOW_START } from './schedule.ts';

/**
 * A tenant's backup window: `window_start` of its projection (minutes after midnight UTC), or the
 * minute derived from its id that the schedule uses when none is set (schedule.ts), and how long
 * it stays open.
 */
const WINDOW = `SELECT k.tenant_id, k.window_start IS NULL AS derived, k.window_minutes, ${WINDOW_START}::int AS start
  FROM known_tenants k WHERE k.tenant_id = $1`;

interface WindowRow {
  tenant_id: string;
  derived: boolean;
  window_minutes: number;
  start: number;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const toWindow = (r: WindowRow): BackupWindow => ({
  tenantId: r.tenant_id,
  windowStart: hhmm(r.start),
  windowMinutes: r.window_minutes,
  derived: r.derived,
});

/**
 * The tenant as the tenant service knows it, into the projection when the projection has not seen
 * it yet (its events may lag the request); TENANT_NOT_FOUND when it does not exist.
 */
async function knownTenant(ctx: BackupContext, tenantId: string): Promise<void> {
  const { rowCount } = await ctx.pool.query('SELECT 1 FROM known_tenants WHERE tenant_id = $1', [tenantId]);
  if (rowCount) return;
  const { tenant } = await askTenantSource(ctx, tenantId);
  await ctx.pool.query(
    `INSERT INTO known_tenants (tenant_id, slug, plan, state, event_time) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO NOTHING`,
    [tenant.id, tenant.slug, tenant.plan, tenant.state, tenant.updatedAt],
  );
}

export function getWindowHandler(ctx: BackupContext): RpcHandler<'backup.window.get.v1'> {
  return async (req) => {
    await knownTenant(ctx, req.tenantId);
    const { rows } = await ctx.pool.query<WindowRow>(WINDOW, [req.tenantId]);
    return { window: toWindow(rows[0]!) };
  };
}

/** `rpc.backup.window.set.v1`: sets (or, with null, clears) the tenant's window; the next look uses it. */
export function setWindowHandler(ctx: BackupContext): RpcHandler<'backup.window.set.v1'> {
  return async (req) => {
    await knownTenant(ctx, req.tenantId);
    const start =
      req.windowStart === null
        ? null
        : Number(req.windowStart.slice(0, 2)) * 60 + Number(req.windowStart.slice(3, 5));
    await ctx.pool.query(
      `UPDATE known_tenants SET window_start = $2, window_minutes = COALESCE($3, window_minutes), updated_at = now()
       WHERE tenant_id = $1`,
      [req.tenantId, start, req.windowMinutes ?? null],
    );
    const { rows } = await ctx.pool.query<WindowRow>(WINDOW, [req.tenantId]);
    ctx.logger.info(
      { tenantId: req.tenantId, window: toWindow(rows[0]!), actor: req.actor },
      'backup window set',
    );
    return { window: toWindow(rows[0]!) };
  };
}
