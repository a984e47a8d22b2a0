import type { FastifyInstance } from 'fastify';
import {
  allPermissions,
  globalPermissions,
  permissionDescriptions,
  roleDescriptions,
  roleNames,
  rolePermissions,
} from '../../domain/permissions.ts';
import { rolesReply } from '../../schemas/roles.ts';

/** The answer never changes while the process runs: made once, from the one permission table. */
function permissionTable() {
  return {
    roles: roleNames.map((name) => ({
      name,
      description: roleDescriptions[name],
      permissions: allPermissions.filter((p) => rolePermissions[name].has(p)),
    })),
    permissions: allPermissions.map((name) => ({
      name,
      description: permissionDescriptions[name],
      global: globalPermissions.has(name),
    })),
  };
}

/** `GET /api/v1/roles`: the fixed roles and what each holds, for whoever hands roles out. */
export default async function roleRoutes(app: FastifyInstance) {
  const table = permissionTable();
  app.get(
    '/api/v1/roles',
    {
      config: { permission: 'operators:read', action: 'role.list' },
      schema: {
        tags: ['operators'],
        summary: 'The fixed roles, the exact permissions of each, and every permission',
        description:
          'Straight from the permission table that decides every route. Global permissions are never held by an account limited to tenants.',
        response: { 200: rolesReply },
      },
    },
    async () => table,
  );
}
