import { schemaBase, schemaFiles } from '@ocp/contracts';

const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const planDef = (name: string) => ref(`common/plan.v1.json#/definitions/${name}`);

export const planRef = ref('common/plan.v1.json');
export const tenantQuotaRef = ref('common/tenant-quota.v1.json');
export const planListReply = ref('rpc/quota.plans.list.v1.reply.json');
export const usageHistoryReply = ref('rpc/quota.usage.history.v1.reply.json');
export const measureReply = ref('rpc/quota.measure.now.v1.reply.json');

export const planParams = {
  type: 'object',
  additionalProperties: false,
  required: ['plan'],
  properties: { plan: schemaFiles['common/tenant.v1'].definitions.plan },
} as const;

/**
 * Query parameters take the contract's definitions inline: the OpenAPI document turns each query
 * property into a parameter, where a `$ref` into another document does not resolve.
 */
export const planListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: {
      ...schemaFiles['rpc/quota.plans.list.v1.request'].properties.after,
      pattern: '^[^\\u0000]+$',
    },
    limit: { ...schemaFiles['rpc/quota.plans.list.v1.request'].properties.limit, default: 50 },
  },
} as const;

const historyRequest = schemaFiles['rpc/quota.usage.history.v1.request'].properties;
export const usageHistoryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { ...historyRequest.after, pattern: '^[A-Za-z0-9_-]+$' },
    limit: { ...historyRequest.limit, default: 100 },
    since: historyRequest.since,
  },
} as const;

/** A plan as PUT /plans/{plan} takes it: the name is the path's. */
export const planBody = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName', 'limits'],
  properties: {
    displayName: planDef('displayName'),
    odooVersion: planDef('odooVersion'),
    limits: planDef('limits'),
    allowedModules: planDef('moduleList'),
    defaultModules: planDef('defaultModules'),
    trialDays: planDef('trialDays'),
    atLimit: planDef('atLimit'),
    metered: planDef('metered'),
    force: {
      type: 'boolean',
      description:
        "Lower a limit below a tenant's current usage anyway (the tenant is then over it); refused with 409 PLAN_LIMIT_BELOW_USAGE otherwise.",
    },
  },
} as const;

export const planPutReply = {
  type: 'object',
  additionalProperties: false,
  required: ['plan', 'created'],
  properties: { plan: planRef, created: { type: 'boolean' } },
} as const;

export const overrideBody = {
  type: 'object',
  additionalProperties: false,
  required: ['limits'],
  properties: {
    limits: planDef('partialLimits'),
    allowedModules: planDef('moduleList'),
  },
} as const;

export const trialBody = {
  type: 'object',
  additionalProperties: false,
  required: ['endsAt'],
  properties: {
    endsAt: {
      type: 'string',
      format: 'date-time',
      maxLength: 40,
      description: 'When the trial ends (RFC 3339); in the future.',
    },
  },
} as const;
