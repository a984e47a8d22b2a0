import { type Bus, RpcError } from '@ocp/bus';
import type { Operation } from '@ocp/contracts';
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../../errors.ts';
import { checkTenantScope, tenantScopeOf } from '../../plugins/auth.ts';
import { operationParams, operationRef } from '../../schemas/tenants.ts';

/** `/api/v1/operations/{id}`: state and progress of long-running work. */
export default async function operationRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id',
    {
      config: { permission: 'operations:read', action: 'operation.read' },
      schema: {
        tags: ['operations'],
        summary: 'Get an operation',
        description: "An account limited to some tenants sees only its tenants' operations.",
        params: operationParams,
        response: { 200: operationRef },
      },
    },
    async (req) => {
      req.audit.target = `operation:${req.params.id}`;
      let operation: Operation;
      try {
        ({ operation } = await opts.bus.request(
          'operation.get.v1',
          { operationId: req.params.id },
          { timeoutMs: opts.timeoutMs },
        ));
      } catch (e) {
        // A limited account learns nothing about operations outside its tenants, not even that they exist.
        if (tenantScopeOf(req) && e instanceof RpcError && e.code === 'OPERATION_NOT_FOUND')
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
