import { schemaBase, schemaFiles } from '@ocp/contracts';

/** Route schemas reuse the contracts of proto-schemas/ by `$ref`; the gateway adds them to fastify. */
const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const tenantDefs = (name: string) => ref(`common/tenant.v1.json#/definitions/${name}`);
/**
 * Query parameters take the contract's definitions inline: the OpenAPI document turns each query
 * property into a parameter, where a `$ref` into another document does not resolve.
 */
const inlineTenantDefs = schemaFiles['common/tenant.v1'].definitions;
const createRequest = schemaFiles['rpc/tenant.create.v1.request'].properties;
const duplicateRequest = schemaFiles['rpc/tenant.duplicate.v1.request'].properties;

export const tenantRef = ref('common/tenant.v1.json');
export const operationRef = ref('common/operation.v1.json');

export const createTenantBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'displayName'],
  properties: {
    slug: tenantDefs('slug'),
    displayName: ref('rpc/tenant.create.v1.request.json#/properties/displayName'),
    plan: { ...tenantDefs('plan'), default: 'starter' },
    adminLogin: tenantDefs('adminLogin'),
    adminPassword: {
      ...createRequest.adminPassword,
      description:
        "The Odoo administrator's password, 8 to 200 characters; leave it out to have one generated and answered once.",
    },
    companyName: tenantDefs('companyName'),
    runtimeId: createRequest.runtimeId,
    odooVersion: ref('common/runtime.v1.json#/definitions/odooVersion'),
  },
} as const;

/** The answer to a creation: with the administrator's password when the platform made it up (shown once). */
export const createTenantReply = {
  type: 'object',
  required: ['tenant', 'operation'],
  properties: {
    tenant: tenantRef,
    operation: operationRef,
    adminPassword: {
      type: 'string',
      description:
        "The generated password of the tenant's Odoo administrator: answered once, when none was given, and never stored in clear.",
    },
  },
} as const;

/** A staging copy: a new tenant with its own slug, neutralised unless told otherwise. */
export const duplicateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug: tenantDefs('slug'),
    displayName: {
      ...duplicateRequest.displayName,
      description: 'A name to show: 1 to 200 characters, no control characters.',
    },
    neutralize: {
      type: 'boolean',
      default: true,
      description:
        'Neutralise the copy as Odoo does: no outgoing or incoming mail, no scheduled actions, no webhooks or IAP, a banner.',
    },
  },
} as const;

export const renameBody = {
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: { slug: tenantDefs('slug') },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Send the same key with the same body to get the same answer, once (printable ASCII, at most 200).',
    },
  },
} as const;

export const tenantAndOperation = {
  type: 'object',
  required: ['tenant', 'operation'],
  properties: { tenant: tenantRef, operation: operationRef },
} as const;

export const tenantIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['tenant'],
  properties: {
    tenant: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z0-9-]+$',
      description: 'The tenant id (a UUID) or its slug.',
    },
  },
} as const;

export const reasonBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { ...tenantDefs('suspensionReason'), default: 'manual' } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: {
      type: 'string',
      maxLength: 1500,
      pattern: '^[A-Za-z0-9_-]+$',
      description:
        'nextCursor of the previous page. It carries its sort and filters: with another sort or other filters it is refused (400, field cursor).',
    },
    sort: { ...inlineTenantDefs.listSort, default: '-createdAt' },
    q: inlineTenantDefs.searchText,
    state: inlineTenantDefs.state,
    plan: inlineTenantDefs.plan,
    runtimeId: { type: 'string', format: 'uuid', description: 'Only tenants served by this Odoo runtime.' },
    slugPrefix: { type: 'string', maxLength: 32, pattern: '^[a-z0-9-]*$' },
    includeDeleted: { type: 'boolean', default: false },
    id: {
      type: 'array',
      items: { type: 'string', format: 'uuid' },
      minItems: 1,
      maxItems: 100,
      description:
        'Only these tenants, deleted ones included (a past operation or audit entry can name a deleted tenant): repeat it, `?id=<uuid>&id=<uuid>`, 1 to 100 ids. A tenant the account may not see, or that does not exist, is simply absent. Other filters still apply; pass a `limit` of at least the number of ids to have them in one page.',
    },
  },
} as const;

/** Tenants by state, for the fleet overview. */
export const statsReply = {
  type: 'object',
  required: ['byState', 'total'],
  properties: {
    byState: schemaFiles['rpc/tenant.stats.v1.reply'].properties.byState,
    total: { type: 'integer', minimum: 0, description: 'Every tenant counted, deleted ones included.' },
  },
} as const;

export const listReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: tenantRef },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;

export const operationParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;
