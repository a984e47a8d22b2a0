import { schemaBase, schemaFiles } from '@ocp/contracts';
import { tenantIdParams } from './tenants.ts';

/** Route schemas of a tenant's custom domains, on the contracts of proto-schemas/. */
const ref = (path: string) => ({ $ref: `${schemaBase}${path}` });
const domainInput = schemaFiles['common/tenant-domain.v1'].definitions.domainInput;

export const tenantDomainRef = ref('common/tenant-domain.v1.json');

export const domainParams = {
  type: 'object',
  additionalProperties: false,
  required: ['tenant', 'domain'],
  properties: {
    tenant: tenantIdParams.properties.tenant,
    domain: {
      type: 'string',
      minLength: 1,
      maxLength: 300,
      description: 'The custom domain, as claimed (any case; a Unicode name as typed or in punycode).',
    },
  },
} as const;

export const addDomainBody = {
  type: 'object',
  additionalProperties: false,
  required: ['domain'],
  properties: {
    domain: {
      ...domainInput,
      description:
        'The host name to route to the tenant (erp.acme.com): any case, Unicode allowed (kept in punycode), a trailing dot ignored. At least two labels, at most 253 characters, not an IP address, not under the platform’s own domain.',
    },
  },
} as const;

export const domainListReply = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: tenantDomainRef } },
} as const;
