import type { Bus } from '@ocp/bus';
import type { Runtime, TenantRuntimeRegisterRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  registerRuntimeBody,
  registerServerBody,
  runtimeListQuery,
  runtimeListReply,
  runtimeParams,
  runtimeReply,
  serverListReply,
  serverReply,
} from '../../schemas/runtimes.ts';

type RegisterBody = Omit<TenantRuntimeRegisterRequestV1, 'actor'>;

/**
 * `/api/v1/runtimes`: the Odoo runtimes that serve tenants, owned by the tenant service. A runtime
 * never carries its master password: the body of a registration hands it to the tenant service,
 * and only the runtime as the service answers it reaches the audit log.
 */
export default async function runtimeRoutes(
  app: FastifyInstance,
  opts: { bus: Bus; timeoutMs: number; odooTimeoutMs: number },
) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  // A registration asks the runtime first, and waits as long as the tenant service may.
  const odooRpc = { timeoutMs: opts.odooTimeoutMs };
  const actor = (req: FastifyRequest) => req.principal?.actor ?? 'anonymous';

  /** Resolves `{runtime}` (an id or a name) and notes it for the audit log; 404 RUNTIME_NOT_FOUND. */
  async function lookupRuntime(req: FastifyRequest, key: string): Promise<Runtime> {
    req.audit.target = `runtime:${key}`;
    const { runtime } = await bus.request('tenant.runtime.get.v1', { runtime: key }, rpc);
    req.audit.target = `runtime:${runtime.id}`;
    return runtime;
  }

  /** Notes the runtime before and after a change for the audit log. */
  function noteChange(req: FastifyRequest, before: Runtime | null, after: Runtime): void {
    req.audit.target = `runtime:${after.id}`;
    req.audit.before = before;
    req.audit.after = after;
  }

  app.post<{ Body: RegisterBody }>(
    '/api/v1/runtimes',
    {
      config: { permission: 'runtimes:write', action: 'runtime.register' },
      schema: {
        tags: ['runtimes'],
        summary: 'Register an Odoo runtime',
        description: [
          'Registers Odoo servers of one version running in multi-database mode: the tenant service first asks the runtime for its version and checks the master password with it (a wrong one answers 422 RUNTIME_REFUSED, a runtime that does not answer 502 RUNTIME_UNREACHABLE), then seals the password and prepares the template database through the runtime (state preparing, then ready or failed with templateError).',
          "`dbRole` is the PostgreSQL role the runtime's Odoo connects as: it owns every tenant database the runtime serves. `filestorePath` is where the runtime's `<data_dir>/filestore` is mounted for the tenant service.",
        ].join('\n\n'),
        body: registerRuntimeBody,
        response: { 201: runtimeReply },
      },
    },
    async (req, reply) => {
      const { runtime } = await bus.request(
        'tenant.runtime.register.v1',
        { ...req.body, actor: actor(req) },
        odooRpc,
      );
      noteChange(req, null, runtime);
      return reply.code(201).header('location', `/api/v1/runtimes/${runtime.id}`).send({ runtime });
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string; includeDisabled: boolean } }>(
    '/api/v1/runtimes',
    {
      config: { permission: 'runtimes:read', action: 'runtime.list' },
      schema: {
        tags: ['runtimes'],
        summary: 'List Odoo runtimes, oldest first',
        description: 'Disabled runtimes are left out unless `includeDisabled` is true.',
        querystring: runtimeListQuery,
        response: { 200: runtimeListReply },
      },
    },
    async (req) => bus.request('tenant.runtime.list.v1', req.query, rpc),
  );

  app.get<{ Params: { runtime: string } }>(
    '/api/v1/runtimes/:runtime',
    {
      config: { permission: 'runtimes:read', action: 'runtime.read' },
      schema: {
        tags: ['runtimes'],
        summary: 'Get an Odoo runtime by id or name',
        description: 'With its state, its template and how many tenants it serves.',
        params: runtimeParams,
        response: { 200: runtimeReply },
      },
    },
    async (req) => ({ runtime: await lookupRuntime(req, req.params.runtime) }),
  );

  app.post<{ Params: { runtime: string } }>(
    '/api/v1/runtimes/:runtime/disable',
    {
      config: { permission: 'runtimes:write', action: 'runtime.disable' },
      schema: {
        tags: ['runtimes'],
        summary: 'Disable an Odoo runtime',
        description:
          'The runtime takes no new tenants; the tenants it serves stay where they are and keep working.',
        params: runtimeParams,
        response: { 200: runtimeReply },
      },
    },
    async (req) => {
      const before = await lookupRuntime(req, req.params.runtime);
      const { runtime } = await bus.request(
        'tenant.runtime.disable.v1',
        { runtimeId: before.id, actor: actor(req) },
        rpc,
      );
      noteChange(req, before, runtime);
      return { runtime };
    },
  );

  app.post<{ Params: { runtime: string } }>(
    '/api/v1/runtimes/:runtime/template',
    {
      config: { permission: 'runtimes:write', action: 'runtime.template' },
      schema: {
        tags: ['runtimes'],
        summary: "Rebuild an Odoo runtime's template",
        description:
          'Prepares a new template database through the runtime (after an Odoo release), beside the current one, which new tenants use until the new one is ready. Answers 202 with the runtime; follow its `templateStep`, `templateDatabase` and `templateError`.',
        params: runtimeParams,
        response: { 202: runtimeReply },
      },
    },
    async (req, reply) => {
      const before = await lookupRuntime(req, req.params.runtime);
      const { runtime } = await bus.request(
        'tenant.runtime.template.v1',
        { runtimeId: before.id, actor: actor(req) },
        rpc,
      );
      noteChange(req, before, runtime);
      return reply.code(202).send({ runtime });
    },
  );

  app.post<{ Body: { name: string; adminUrl: string; maxTenants?: number } }>(
    '/api/v1/database-servers',
    {
      config: { permission: 'runtimes:write', action: 'database_server.register' },
      schema: {
        tags: ['runtimes'],
        summary: 'Register a database server',
        description:
          'Registers another PostgreSQL server for tenant databases (runtimes on it, tenants moved to it). `adminUrl` is a role with CREATEDB and CREATEROLE there; it is checked, sealed at rest and never answered, logged or audited. The backup service finds its own admin URL of the server under `name` in BACKUP_DB_SERVERS.',
        body: registerServerBody,
        response: { 201: serverReply },
      },
    },
    async (req, reply) => {
      const { server } = await bus.request(
        'tenant.server.register.v1',
        { ...req.body, actor: actor(req) },
        rpc,
      );
      req.audit.target = `database_server:${server.id}`;
      req.audit.after = server;
      return reply.code(201).send({ server });
    },
  );

  app.get(
    '/api/v1/database-servers',
    {
      config: { permission: 'runtimes:read', action: 'database_server.list' },
      schema: {
        tags: ['runtimes'],
        summary: 'List the database servers',
        description:
          'Every registered PostgreSQL server, oldest first, with its tenant count; never its admin URL.',
        response: { 200: serverListReply },
      },
    },
    async () => bus.request('tenant.server.list.v1', {}, rpc),
  );
}
