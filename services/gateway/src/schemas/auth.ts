const operator = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'email', 'role'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'admin', 'operator', 'billing', 'viewer'] },
  },
} as const;

export const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\u0000]+$' },
    password: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000]+$' },
  },
} as const;

export const loginReply = {
  type: 'object',
  required: ['token', 'expiresAt', 'operator'],
  properties: {
    token: { type: 'string', description: 'Send as Authorization: Bearer <token>. Shown once.' },
    expiresAt: { type: 'string', format: 'date-time' },
    operator,
  },
} as const;

export const meReply = { type: 'object', required: ['operator'], properties: { operator } } as const;
