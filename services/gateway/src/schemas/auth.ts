import { allPermissions, roleNames } from '../domain/permissions.ts';

const noNul = '^[^\\u0000]+$';

export const permissionSchema = {
  type: 'string',
  enum: allPermissions,
  description: 'A permission of the table (see GET /api/v1/me for what the caller holds).',
} as const;

export const tenantIdsSchema = {
  type: ['array', 'null'],
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
  items: { type: 'string', format: 'uuid' },
  description: 'Limits the account to these tenants (ids); null: every tenant. Owners see every tenant.',
} as const;

/** An operator account, never with its password hash. */
export const operatorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'email', 'name', 'role', 'tenantIds', 'disabled', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: {
      type: 'string',
      enum: ['human', 'service'],
      description: 'human: logs in with email and password; service: acts only through API tokens.',
    },
    email: { type: ['string', 'null'] },
    name: { type: ['string', 'null'], description: 'The name of a service account.' },
    role: { type: 'string', enum: roleNames },
    tenantIds: { type: ['array', 'null'], items: { type: 'string', format: 'uuid' } },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254, pattern: noNul },
    password: { type: 'string', minLength: 1, maxLength: 200, pattern: noNul },
  },
} as const;

export const loginReply = {
  type: 'object',
  required: ['token', 'csrfToken', 'expiresAt', 'operator'],
  properties: {
    token: {
      type: 'string',
      description:
        'The session: send as Authorization: Bearer <token>, or rely on the httpOnly cookie. Shown once.',
    },
    csrfToken: {
      type: 'string',
      description:
        'With the session cookie, send it as the x-csrf-token header on every POST, PUT, PATCH and DELETE (also in the readable ocp_csrf cookie).',
    },
    expiresAt: { type: 'string', format: 'date-time' },
    operator: operatorSchema,
  },
} as const;

export const meReply = {
  type: 'object',
  required: ['operator', 'permissions', 'tenantScope', 'authenticatedBy'],
  properties: {
    operator: operatorSchema,
    permissions: {
      type: 'array',
      items: permissionSchema,
      description: 'What the caller may do now: hide what is not here.',
    },
    tenantScope: {
      type: ['array', 'null'],
      items: { type: 'string', format: 'uuid' },
      description: 'The tenants the caller is limited to; null: every tenant.',
    },
    authenticatedBy: { type: 'string', enum: ['cookie', 'bearer', 'token'] },
    token: {
      type: 'object',
      required: ['id', 'scopes'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        scopes: { type: 'array', items: { type: 'string' } },
      },
      description: 'The API token of the request, when it came with one.',
    },
  },
} as const;

export const passwordBody = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'newPassword'],
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 200, pattern: noNul },
    newPassword: {
      type: 'string',
      minLength: 12,
      maxLength: 200,
      pattern: noNul,
      description:
        'At least 12 characters, and not easy to guess: common passwords, repeats, sequences, keyboard walks and the email are refused (zxcvbn score 3 or more).',
    },
  },
} as const;
