import { schemaBase, schemaFiles } from '@ocp/contracts';
import { operationRef, tenantRef } from './tenants.ts';

/** Route schemas of backups, restores and imports, on the contracts of proto-schemas/. */
const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });

/**
 * Path and query parameters take the contract's definitions inline: the OpenAPI document turns
 * each of their properties into a parameter, where a `$ref` into another document does not resolve.
 */
const listRequest = schemaFiles['rpc/backup.list.v1.request'].properties;
const restoreRequest = schemaFiles['rpc/backup.restore.v1.request'].properties;
const transferNewTenant = schemaFiles['rpc/backup.transfer.v1.request'].properties.newTenant.properties;
const slug = schemaFiles['common/tenant.v1'].definitions.slug;
const odooVersion = schemaFiles['common/runtime.v1'].definitions.odooVersion;

export const backupRef = ref('common/backup.v1.json');

export const backupParams = {
  type: 'object',
  additionalProperties: false,
  required: ['backup'],
  properties: { backup: { type: 'string', format: 'uuid', description: 'The backup id.' } },
} as const;

export const backupListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { ...listRequest.limit, default: 50 },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'nextCursor of the previous page.',
    },
    state: { ...listRequest.state, description: 'Only backups in this state.' },
  },
} as const;

export const backupListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: backupRef },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;

export const backupAndOperation = {
  type: 'object',
  required: ['backup', 'operation'],
  properties: { backup: backupRef, operation: operationRef },
} as const;

export const operationReply = {
  type: 'object',
  required: ['operation'],
  properties: { operation: operationRef },
} as const;

const restoreInPlace = {
  ...restoreRequest.tenantId,
  description:
    "The backup's own tenant, to restore in place: its database and filestore are replaced by the backup's, after a pre-restore backup of what they hold now.",
} as const;

const restoreAsNewTenant = {
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  description:
    "A new tenant made from the backup, on the same runtime as the backup's tenant, which stays as it is (needs tenants:duplicate too).",
  properties: {
    slug,
    displayName: {
      ...restoreRequest.newTenant.properties.displayName,
      description: 'A name to show: 1 to 200 characters, no control characters.',
    },
  },
} as const;

/** The fields of a restore's body, of which exactly one is sent. */
export const restoreTargets = ['tenantId', 'newTenant'] as const;

/**
 * Where a restore goes: into the backup's own tenant (`tenantId`), or into a new tenant
 * (`newTenant`), exactly one of them. Said with min/maxProperties rather than oneOf: a oneOf's
 * refusal lists the other shape's complaints too, which hides the one that matters.
 */
export const restoreBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  description:
    "Exactly one of tenantId (restore into the backup's own tenant) and newTenant (restore as a new tenant).",
  properties: { tenantId: restoreInPlace, newTenant: restoreAsNewTenant },
} as const;

export const importQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['slug'],
  properties: {
    slug: { ...slug, description: `The new tenant's slug: ${slug.description}` },
    displayName: {
      ...transferNewTenant.displayName,
      description: 'A name to show: 1 to 200 characters, no control characters; the slug by default.',
    },
    runtimeId: {
      ...transferNewTenant.runtimeId,
      description: 'Place the tenant on this runtime instead of the one the placement rule picks.',
    },
    odooVersion: {
      ...odooVersion,
      description:
        "The Odoo series of the zip, to pick a runtime of that series; by default the zip's manifest says.",
    },
  },
} as const;

export const importReply = {
  type: 'object',
  required: ['tenant', 'operation'],
  properties: { tenant: tenantRef, operation: operationRef },
} as const;

/** A raw binary body or answer, as OpenAPI 3.1 documents one. */
export const zipSchema = { type: 'string', format: 'binary' } as const;

export const downloadReply = {
  description: "The backup in Odoo's own zip format (dump.sql, filestore/, manifest.json), as an attachment.",
  content: { 'application/zip': { schema: zipSchema } },
} as const;

export const backupWindowRef = ref('common/backup-window.v1.json');

/** The body of `PUT /tenants/{tenant}/backup-window`: the contract's request without the ids. */
const windowRequest = schemaFiles['rpc/backup.window.set.v1.request'].properties;
export const backupWindowBody = {
  type: 'object',
  additionalProperties: false,
  required: ['windowStart'],
  properties: { windowStart: windowRequest.windowStart, windowMinutes: windowRequest.windowMinutes },
} as const;

/** The body of `POST /tenants/{tenant}/move`: where to, one of the two. */
const moveRequest = schemaFiles['rpc/backup.move.v1.request'].properties;
export const moveBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: { runtimeId: moveRequest.runtimeId, databaseServerId: moveRequest.databaseServerId },
} as const;

export const overdueQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { ...schemaFiles['rpc/backup.overdue.v1.request'].properties.limit, default: 50 },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'nextCursor of the previous page.',
    },
  },
} as const;

export const overdueReply = ref('rpc/backup.overdue.v1.reply.json');
