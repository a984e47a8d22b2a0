import { type Queryable, quoteIdent } from '@ocp/db';
import type { OperationRowBase } from './table.ts';

/**
 * What a page of operations asks for. The position is the last operation seen (`olderThan`), by
 * value: the tenant and backup services keep their operations apart, and the gateway merges pages
 * of both from one position. Operations are created at millisecond precision (their
 * `created_at` default), so the millisecond time the API shows is the exact key.
 */
export interface OperationPageRequest {
  limit: number;
  olderThan?: { createdAt: string; id: string } | undefined;
  state?: string | undefined;
  kind?: string | undefined;
  tenantId?: string | undefined;
  tenantIds?: readonly string[] | undefined;
}

/**
 * One page of a service's operations, newest first on (created_at, id), each filter an index
 * condition: (created_at, id), (tenant_id, created_at, id), (state, ...), (kind, ...).
 */
export async function listOperationPage<R extends OperationRowBase>(
  db: Queryable,
  table: string,
  req: OperationPageRequest,
): Promise<{ rows: R[]; more: boolean }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (req.state) where.push(`state = ${arg(req.state)}`);
  if (req.kind) where.push(`kind = ${arg(req.kind)}`);
  if (req.tenantId) where.push(`tenant_id = ${arg(req.tenantId)}::uuid`);
  if (req.tenantIds) where.push(`tenant_id = ANY(${arg(req.tenantIds)}::uuid[])`);
  if (req.olderThan)
    where.push(
      `(created_at, id) < (${arg(req.olderThan.createdAt)}::timestamptz, ${arg(req.olderThan.id)}::uuid)`,
    );
  const { rows } = await db.query<R>(
    `SELECT * FROM ${quoteIdent(table)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${arg(req.limit + 1)}`,
    args,
  );
  return { rows: rows.slice(0, req.limit), more: rows.length > req.limit };
}
