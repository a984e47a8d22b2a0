import { type Bus, RpcError, RpcUnavailableError } from '@ocp/bus';
import type { Operation } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, apiError, forbidden } from '../../errors.ts';
import { checkTenantScope, tenantScopeOf } from '../../plugins/auth.ts';
import { operationListQuery, operationListReply } from '../../schemas/operations.ts';
import { operationParams, operationRef } from '../../schemas/tenants.ts';
import { listOperations, type OperationListQuery } from './list.ts';

const notFound = (e: unknown): e is RpcError | ApiError =>
  (e instanceof RpcError || e instanceof ApiError) && e.code === 'OPERATION_NOT_FOUND';

/**
 * `/api/v1/operations` and `/api/v1/operations/{id}`: state and progress of long-running work, of the tenant service or of
 * the backup service (backups, restores, drills, imports).
 */
export default async function operationRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  const rpc = { timeoutMs: opts.timeoutMs };

  /**
   * The operation, from the tenant service, else from the backup service. When the backup service
   * does not answer, the tenant service's not-found stands, saying so: the caller asks again.
   */
  async function findOperation(req: FastifyRequest, operationId: string): Promise<Operation> {
    try {
      return (await opts.bus.request('operation.get.v1', { operationId }, rpc)).operation;
    } catch (e) {
      if (!notFound(e)) throw e;
      try {
        return (await opts.bus.request('backup.operation.get.v1', { operationId }, rpc)).operation;
      } catch (b) {
        if (!(b instanceof RpcUnavailableError)) throw b;
        req.log.warn({ err: b }, 'backup service did not answer an operation lookup');
        throw apiError(
          'OPERATION_NOT_FOUND',
          `${e.message}; the backup service did not answer, so if it is one of its operations, ask again shortly`,
        );
      }
    }
  }

  app.get<{ Querystring: OperationListQuery }>(
    '/api/v1/operations',
    {
      config: { permission: 'operations:read', action: 'operation.list' },
      schema: {
        tags: ['operations'],
        summary: 'List operations, newest first',
        description: [
          "The operations of the tenant service (provisioning, suspension, module changes, copies, renames, deletions) and of the backup service (backups, restores, drills, imports, moves) in one list, newest first (createdAt, then id). Filters: `state`, `kind`, `tenantId`. An account limited to some tenants sees only its tenants' operations.",
          "When the backup service does not answer, the page holds the tenant service's operations only and `missing` says so, rather than failing.",
        ].join('\n\n'),
        querystring: operationListQuery,
        response: { 200: operationListReply },
      },
    },
    async (req) => {
      const scope = tenantScopeOf(req);
      if (req.query.tenantId) {
        req.audit.tenantId = req.query.tenantId;
        checkTenantScope(req, req.query.tenantId, 'operations:read');
      }
      return listOperations(opts.bus, rpc, req.query, scope, (err) =>
        req.log.warn({ err }, 'backup service did not answer an operation list; answering without it'),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id',
    {
      config: { permission: 'operations:read', action: 'operation.read' },
      schema: {
        tags: ['operations'],
        summary: 'Get an operation',
        description:
          "An operation of a tenant (provisioning, suspension, module changes, copies) or of its backups (backups, restores, drills, imports). An account limited to some tenants sees only its tenants' operations.",
        params: operationParams,
        response: { 200: operationRef },
      },
    },
    async (req) => {
      req.audit.target = `operation:${req.params.id}`;
      let operation: Operation;
      try {
        operation = await findOperation(req, req.params.id);
      } catch (e) {
        // A limited account learns nothing about operations outside its tenants, not even that they exist.
        if (tenantScopeOf(req) && notFound(e))
          throw forbidden(
            'operations:read',
            `this needs the permission operations:read for operation ${req.params.id}, which is not about one of this account's tenants`,
          );
        throw e;
      }
      req.audit.tenantId = operation.tenantId;
      checkTenantScope(req, operation.tenantId, 'operations:read');
      return operation;
    },
  );
}
