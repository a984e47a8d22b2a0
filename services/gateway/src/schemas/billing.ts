import { schemaBase } from '@ocp/contracts';

const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const provider = ref('common/billing-subscription.v1.json#/definitions/provider');

export const subscriptionsReply = ref('rpc/billing.subscriptions.get.v1.reply.json');
export const webhooksReply = ref('rpc/billing.webhooks.list.v1.reply.json');
export const linkReply = ref('rpc/billing.checkout.create.v1.reply.json');

export const webhooksQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider,
    status: ref('rpc/billing.webhooks.list.v1.request.json#/definitions/status'),
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
