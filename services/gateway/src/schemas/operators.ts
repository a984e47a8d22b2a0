import { roleNames } from '../domain/permissions.ts';
import { operatorSchema, tenantIdsSchema } from './auth.ts';

export const operatorParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const inviteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'role'],
  properties: {
    email: {
      type: 'string',
      minLength: 3,
      maxLength: 254,
      pattern: '^[^@\\s\\u0000]+@[^@\\s\\u0000]+$',
      description: 'The login: an email address.',
    },
    role: { type: 'string', enum: roleNames },
    tenantIds: tenantIdsSchema,
  },
} as const;

export const inviteReply = {
  type: 'object',
  required: ['operator', 'initialPassword'],
  properties: {
    operator: operatorSchema,
    initialPassword: {
      type: 'string',
      description: 'Shown once: hand it to the person, who changes it with POST /api/v1/me/password.',
    },
  },
} as const;

export const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    role: { type: 'string', enum: roleNames },
    tenantIds: tenantIdsSchema,
    disabled: {
      type: 'boolean',
      description: 'A disabled account cannot log in, and its tokens stop working.',
    },
  },
} as const;

export const operatorListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    role: { type: 'string', enum: roleNames },
    kind: { type: 'string', enum: ['human', 'service'] },
  },
} as const;

export const operatorListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: operatorSchema },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
  },
} as const;
