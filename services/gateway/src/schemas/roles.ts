import { allPermissions, roleNames } from '../domain/permissions.ts';

const permissionName = { type: 'string', enum: allPermissions } as const;

/** The permission table as `GET /api/v1/roles` answers it. */
export const rolesReply = {
  type: 'object',
  additionalProperties: false,
  required: ['roles', 'permissions'],
  properties: {
    roles: {
      type: 'array',
      description: 'The fixed roles, from most to least: every account holds exactly one.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'description', 'permissions'],
        properties: {
          name: { type: 'string', enum: roleNames },
          description: { type: 'string' },
          permissions: {
            type: 'array',
            items: permissionName,
            description:
              'Exactly what the role holds, in the order of `permissions`. An account of the role limited to some tenants holds these less the global ones.',
          },
        },
      },
    },
    permissions: {
      type: 'array',
      description: 'Every permission of the table, grouped by resource.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'description', 'global'],
        properties: {
          name: permissionName,
          description: { type: 'string' },
          global: {
            type: 'boolean',
            description:
              'Acts beyond single tenants (creating tenants, runtimes, operators, ...): never held by an account limited to tenants.',
          },
        },
      },
    },
  },
} as const;
