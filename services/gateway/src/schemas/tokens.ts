import { permissionSchema } from './auth.ts';

export const tokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'name',
    'operator',
    'createdBy',
    'scopes',
    'createdAt',
    'expiresAt',
    'revokedAt',
    'lastUsedAt',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    operator: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'kind', 'email', 'name'],
      description: 'The account the token acts for.',
      properties: {
        id: { type: 'string', format: 'uuid' },
        kind: { type: 'string', enum: ['human', 'service'] },
        email: { type: ['string', 'null'] },
        name: { type: ['string', 'null'] },
      },
    },
    createdBy: { type: ['string', 'null'], format: 'uuid' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const createTokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$' },
    scopes: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: permissionSchema,
      description: 'Permissions the token may use; each one must be held by the one who makes it.',
    },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 365, default: 30 },
    serviceAccount: {
      type: 'string',
      minLength: 2,
      maxLength: 63,
      pattern: '^[a-z][a-z0-9-]*[a-z0-9]$',
      description:
        'Make the token for this service account (made on first use, with the maker role, never owner): it cannot log in with a password. Needs operators:write.',
    },
  },
} as const;

export const createTokenReply = {
  type: 'object',
  required: ['token', 'apiToken'],
  properties: {
    token: {
      type: 'string',
      description: 'Send as Authorization: Bearer <token>. Shown once, stored only as a hash.',
    },
    apiToken: tokenSchema,
  },
} as const;

export const tokenParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const tokenListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

export const tokenListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: tokenSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;
