import { schemaBase, schemaFiles } from '@ocp/contracts';

const contract = schemaFiles['common/audit-entry.v1'];
const outcome = contract.definitions.outcome;

/**
 * An audit entry as the contract has it, with `data` passed through whole (a response schema
 * without properties would serialize an object as `{}`).
 */
export const auditEntrySchema = {
  type: 'object',
  description: contract.description,
  required: contract.required,
  properties: {
    ...contract.properties,
    outcome,
    data: { type: 'object', additionalProperties: true, description: contract.properties.data.description },
  },
} as const;

const filters = {
  from: { type: 'string', format: 'date-time', description: 'Entries at or after this time (RFC 3339).' },
  to: { type: 'string', format: 'date-time', description: 'Entries before this time (RFC 3339).' },
  actor: {
    type: 'string',
    minLength: 1,
    maxLength: 300,
    pattern: '^[^\\u0000]+$',
    description: 'operator:<id>, token:<id>, anonymous or system:<service>.',
  },
  tenantId: { type: 'string', format: 'uuid' },
  action: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    pattern: '^[^\\u0000]+$',
    description: 'e.g. tenant.suspend, auth.login.',
  },
  outcome,
} as const;

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filters,
    order: {
      type: 'string',
      enum: ['asc', 'desc'],
      default: 'asc',
      description: 'asc: oldest first, in chain order; desc: newest first.',
    },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[A-Za-z0-9_-]+$',
      description:
        'nextCursor of the previous page, asked in the same order (a cursor of the other order is a 400).',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export const auditPage = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: auditEntrySchema },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;

export const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filters,
    format: { type: 'string', enum: ['ndjson', 'csv'], default: 'ndjson' },
  },
} as const;

export const verifyBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    fromSeq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    toSeq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;

export const verifyReply = { $ref: `${schemaBase}rpc/audit.verify.v1.reply.json` } as const;
