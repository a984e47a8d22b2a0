import { schemaBase, schemaFiles } from '@ocp/contracts';

const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const provider = ref('common/billing-subscription.v1.json#/definitions/provider');

export const subscriptionsReply = ref('rpc/billing.subscriptions.get.v1.reply.json');
export const webhooksReply = ref('rpc/billing.webhooks.list.v1.reply.json');
export const linkReply = ref('rpc/billing.checkout.create.v1.reply.json');

/**
 * Query parameters take the contract's definitions inline: the OpenAPI document turns each query
 * property into a parameter, where a `$ref` into another document does not resolve.
 */
export const webhooksQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: schemaFiles['common/billing-subscription.v1'].definitions.provider,
    status: schemaFiles['rpc/billing.webhooks.list.v1.request'].definitions.status,
    tenantId: { type: 'string', format: 'uuid' },
    cursor: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000]+$',
      description: 'nextCursor of the previous page.',
    },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
} as const;

export const linkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['provider'],
  properties: {
    provider,
    priceId: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000]+$',
      description: "The provider's price id (Stripe price_..., Paddle pri_...).",
    },
    returnUrl: {
      type: 'string',
      format: 'uri',
      maxLength: 2000,
      description: 'Where the provider sends the customer back to.',
    },
  },
} as const;
