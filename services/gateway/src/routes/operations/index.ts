import type { Bus } from '@ocp/bus';
import type { FastifyInstance } from 'fastify';
import { operationParams, operationRef } from '../../schemas/tenants.ts';

/** `/api/v1/operations/{id}`: state and progress of long-running work. */
export default async function operationRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'Get an operation',
        params: operationParams,
        response: { 200: operationRef },
      },
    },
    async (req) =>
      (
        await opts.bus.request(
          'operation.get.v1',
          { operationId: req.params.id },
          { timeoutMs: opts.timeoutMs },
        )
      ).operation,
  );
}
