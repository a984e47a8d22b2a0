import { schemaBase, schemaFiles } from '@ocp/contracts';
import { tenantIdParams } from './tenants.ts';

/** Route schemas of a tenant's Odoo modules, on the contracts of proto-schemas/. */
const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });

/**
 * Path and query parameters take the contract's definitions inline: the OpenAPI document turns
 * each of their properties into a parameter, where a `$ref` into another document does not resolve.
 */
const moduleName = schemaFiles['common/tenant.v1'].definitions.moduleName;
const listRequest = schemaFiles['rpc/tenant.modules.list.v1.request'].properties;

export const moduleActions = ['install', 'upgrade', 'uninstall'] as const;
export type ModuleAction = (typeof moduleActions)[number];

export const moduleParams = {
  type: 'object',
  additionalProperties: false,
  required: ['tenant', 'module'],
  properties: {
    tenant: tenantIdParams.properties.tenant,
    module: {
      ...moduleName,
      maxLength: 64,
      description: `The technical name of the module, as Odoo knows it (e.g. sale_management): ${moduleName.description.replace(/^A technical module name: /, '')}.`,
    },
  },
} as const;

export const moduleListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    state: { ...listRequest.state, description: 'Only modules in this state, as Odoo names it.' },
    search: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9_]+$',
      description:
        'Only modules whose technical name contains this (lowercase letters, digits, underscores).',
    },
  },
} as const;

export const moduleListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: ref('rpc/tenant.modules.list.v1.reply.json#/definitions/module') },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;
