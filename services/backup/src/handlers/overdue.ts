import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { type BackupOverdueReplyV1, encodeCursor, readCursor, UUID_PATTERN } from '@ocp/contracts';
import type { BackupContext } from './context.ts';

/** The opaque cursor of a page: the id of its last tenant. */
function decodeTenantCursor(cursor: string): string {
  const t = readCursor(cursor)?.t;
  if (typeof t === 'string' && UUID_PATTERN.test(t)) return t;
  throw new RpcError(
    'VALIDATION_FAILED',
    'cursor is not one this API gave out; pass nextCursor from the previous page',
    '/cursor',
  );
}

interface OverdueRow {
  tenant_id: string;
  slug: string;
  state: 'active' | 'suspended';
  last_at: Date | null;
  due_at: Date;
  late_seconds: string;
}

/**
 * The tenants the schedule backs up whose last successful scheduled or manual backup (or, with none,
 * the moment the schedule took them on) is more than a day and the grace old, in one place for the
 * list and the count. `$1` is now, `$2` the grace in minutes; `last.created_at` is the last success.
 */
const OVERDUE_FROM = `known_tenants k
       LEFT JOIN LATERAL (
         SELECT b.created_at FROM backups b
         WHERE b.tenant_id = k.tenant_id AND b.state = 'succeeded' AND b.kind IN ('scheduled', 'manual')
         ORDER BY b.created_at DESC LIMIT 1) last ON true`;
const OVERDUE_WHERE = `k.state IN ('active', 'suspended')
         AND COALESCE(last.created_at, k.schedule_since) < $1::timestamptz - interval '1 day' - make_interval(mins => $2::int)`;

/**
 * How many tenants are overdue now, by the rule of `rpc.backup.overdue.v1` (for the metrics): one
 * probe of the last success per scheduled tenant.
 */
export async function countOverdueTenants(
  ctx: Pick<BackupContext, 'pool' | 'config' | 'now'>,
): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${OVERDUE_FROM} WHERE ${OVERDUE_WHERE}`,
    [ctx.now(), ctx.config.BACKUP_OVERDUE_GRACE_MINUTES],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * `rpc.backup.overdue.v1`: the tenants the schedule backs up (active or suspended, from
 * `known_tenants`) whose last successful scheduled or manual backup, or with none the moment the
 * schedule took them on, is older than a day and BACKUP_OVERDUE_GRACE_MINUTES; by tenant id, after
 * the cursor. The schedule takes one a day inside the tenant's window, so a day is when the next
 * one is due. One query: the scheduled tenants' index in id order, for each one probe of the last
 * success (`backups_last_success`), stopping at the page; at worst it reads every scheduled tenant
 * once (5,000 probes are milliseconds).
 */
export function overdueHandler(ctx: BackupContext): RpcHandler<'backup.overdue.v1'> {
  return async (req): Promise<BackupOverdueReplyV1> => {
    const grace = ctx.config.BACKUP_OVERDUE_GRACE_MINUTES;
    const args: unknown[] = [ctx.now(), grace];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    const where = [OVERDUE_WHERE];
    if (req.cursor !== undefined) where.push(`k.tenant_id > ${arg(decodeTenantCursor(req.cursor))}::uuid`);
    if (req.tenantIds !== undefined) where.push(`k.tenant_id = ANY(${arg(req.tenantIds)}::uuid[])`);
    const { rows } = await ctx.pool.query<OverdueRow>(
      `SELECT k.tenant_id, k.slug, k.state, last.created_at AS last_at,
              COALESCE(last.created_at, k.schedule_since) + interval '1 day' AS due_at,
              floor(extract(epoch FROM $1::timestamptz - (COALESCE(last.created_at, k.schedule_since) + interval '1 day'))) AS late_seconds
       FROM ${OVERDUE_FROM}
       WHERE ${where.join(' AND ')}
       ORDER BY k.tenant_id LIMIT ${arg(req.limit + 1)}`,
      args,
    );
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        tenantId: r.tenant_id,
        slug: r.slug,
        state: r.state,
        lastBackupAt: r.last_at ? r.last_at.toISOString() : null,
        dueAt: r.due_at.toISOString(),
        lateSeconds: Number(r.late_seconds),
      })),
      nextCursor: rows.length > req.limit && last ? encodeCursor({ t: last.tenant_id }) : null,
      graceMinutes: grace,
    };
  };
}
