import { schemaBase, schemaFiles } from '@ocp/contracts';

/** Route schemas of `/api/v1/runtimes`, on the contracts of proto-schemas/ (common/runtime.v1.json). */
const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const runtimeDefs = (name: string) => ref(`common/runtime.v1.json#/definitions/${name}`);
const register = schemaFiles['rpc/tenant.runtime.register.v1.request'].properties;

export const runtimeRef = ref('common/runtime.v1.json');

/**
 * What an operator gives to register a runtime. The master password goes to the tenant service,
 * which checks it against the runtime and seals it; no answer, log or audit entry carries it.
 */
export const registerRuntimeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'odooVersion', 'rpcUrl', 'masterPassword', 'dbRole', 'filestorePath'],
  properties: {
    name: runtimeDefs('name'),
    odooVersion: runtimeDefs('odooVersion'),
    rpcUrl: {
      ...register.rpcUrl,
      description:
        "The runtime's internal address, http:// or https:// (e.g. http://odoo:8069); JSON-RPC calls go to <rpcUrl>/jsonrpc.",
    },
    websocketUrl: {
      ...register.websocketUrl,
      description:
        "The address of the runtime's gevent port (Odoo's gevent_port), where the router sends /websocket and /longpolling/; the rpcUrl's host with port 8072 when left out.",
    },
    masterPassword: {
      ...register.masterPassword,
      description:
        "Odoo's master password (admin_passwd of its configuration): checked against the runtime now, sealed at rest, never shown again.",
    },
    databaseServerId: register.databaseServerId,
    dbRole: runtimeDefs('dbRole'),
    filestorePath: {
      ...register.filestorePath,
      description:
        "Absolute path of the runtime's <data_dir>/filestore as the tenant service sees it (the same directory mounted on both).",
    },
    maxTenants: {
      ...register.maxTenants,
      description: 'How many tenants the placement puts on this runtime at most (default 1000).',
    },
  },
} as const;

export const runtimeParams = {
  type: 'object',
  additionalProperties: false,
  required: ['runtime'],
  properties: {
    runtime: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9-]+$',
      description: 'The runtime id (a UUID) or its name.',
    },
  },
} as const;

export const runtimeListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    includeDisabled: {
      type: 'boolean',
      default: false,
      description: 'Also list disabled runtimes (they serve their tenants but take no new ones).',
    },
  },
} as const;

export const runtimeReply = {
  type: 'object',
  required: ['runtime'],
  properties: { runtime: runtimeRef },
} as const;

export const runtimeListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: runtimeRef },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;

/** Database servers: the contract's register request without the actor, and the list. */
const serverRegister = schemaFiles['rpc/tenant.server.register.v1.request'].properties;
export const registerServerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'adminUrl'],
  properties: {
    name: serverRegister.name,
    adminUrl: serverRegister.adminUrl,
    maxTenants: serverRegister.maxTenants,
  },
} as const;
export const databaseServerRef = { $ref: `${schemaBase}common/database-server.v1.json` };
export const serverReply = {
  type: 'object',
  additionalProperties: false,
  required: ['server'],
  properties: { server: databaseServerRef },
} as const;
export const serverListReply = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: databaseServerRef } },
} as const;
