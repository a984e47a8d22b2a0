import { schemaBase, schemaFiles } from '@ocp/contracts';

const operation = schemaFiles['common/operation.v1'].properties;

/** The sources of operations the list merges; `missing` names those that did not answer. */
export const operationSources = ['tenant', 'backup'] as const;

export const operationListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: {
      type: 'string',
      maxLength: 300,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'nextCursor of the previous page, with the same filters.',
    },
    state: operation.state,
    kind: operation.kind,
    tenantId: { type: 'string', format: 'uuid' },
  },
} as const;

export const operationListReply = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: `${schemaBase}common/operation.v1.json` } },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null on the last page.',
    },
    missing: {
      type: 'array',
      items: { type: 'string', enum: operationSources },
      description:
        'Sources that did not answer, so their operations are not in this page: `backup` when the backup service did not answer in time (its backups, restores, drills, imports and moves are left out). The page is still in order; a cursor from it continues after its last item, so operations of the missing source created before that point are not shown by the following pages either: start again from the first page to see them. Absent when every source answered.',
    },
  },
} as const;
