import type { Pool } from '@ocp/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LoginThrottle } from '../../db/login-throttle.ts';
import {
  deleteOperator,
  getOperator,
  insertOperator,
  listOperators,
  type OperatorRow,
  otherActiveOwners,
  toOperator,
  updateOperator,
} from '../../db/operators.ts';
import { decodeCursor, encodeCursor } from '../../db/pages.ts';
import { revokeOtherSessions } from '../../db/sessions.ts';
import { generatePassword, hashPassword } from '../../domain/passwords.ts';
import { type Role, whyDenied } from '../../domain/permissions.ts';
import { apiError, forbidden } from '../../errors.ts';
import { auditedTransaction } from '../../plugins/audit.ts';
import { operatorSchema } from '../../schemas/auth.ts';
import {
  inviteBody,
  inviteReply,
  operatorListQuery,
  operatorListReply,
  operatorParams,
  patchBody,
} from '../../schemas/operators.ts';

interface Patch {
  role?: Role;
  tenantIds?: string[] | null;
  disabled?: boolean;
}

/** Only owners make, change, disable or delete owners. */
function requireOwnersPermission(req: FastifyRequest) {
  const p = req.principal!;
  if (!p.permissions.has('operators:owners'))
    throw forbidden(
      'operators:owners',
      whyDenied('operators:owners', p.operator.role, p.operator.tenantIds, p.token?.scopes ?? null),
    );
}

const noneFound = (id: string) => apiError('OPERATOR_NOT_FOUND', `no operator ${id}`);

/** An enabled person who is an owner: the accounts that must never all go. */
const activeOwner = (r: OperatorRow) => r.role === 'owner' && r.kind === 'human' && r.disabled_at === null;

/**
 * `/api/v1/operators`: invite, list, read, change (role, tenants, disabled) and delete accounts,
 * and lift an account's login locks.
 */
export default async function operatorRoutes(
  app: FastifyInstance,
  opts: { pool: Pool; throttle: LoginThrottle },
) {
  const { pool } = opts;

  app.post<{ Body: { email: string; role: Role; tenantIds?: string[] | null } }>(
    '/api/v1/operators',
    {
      config: { permission: 'operators:write', action: 'operator.create' },
      schema: {
        tags: ['operators'],
        summary: 'Invite an operator',
        description:
          'Makes the account with a generated initial password, answered once. Making an owner needs operators:owners.',
        body: inviteBody,
        response: { 201: inviteReply },
      },
    },
    async (req, reply) => {
      const { email, role } = req.body;
      const tenantIds = req.body.tenantIds ?? null;
      if (role === 'owner') {
        requireOwnersPermission(req);
        if (tenantIds)
          throw apiError(
            'VALIDATION_FAILED',
            'body/tenantIds must be left out: owners see every tenant',
            'body/tenantIds',
          );
      }
      const initialPassword = generatePassword();
      const passwordHash = await hashPassword(initialPassword);
      const row = await auditedTransaction(pool, req, 201, async (c) => {
        const made = await insertOperator(c, { kind: 'human', email, role, tenantIds, passwordHash });
        if (!made)
          throw apiError(
            'OPERATOR_EXISTS',
            `an operator with the email ${email} exists already`,
            'body/email',
          );
        req.audit.target = `operator:${made.id}`;
        req.audit.after = toOperator(made);
        return made;
      });
      return reply
        .code(201)
        .header('location', `/api/v1/operators/${row.id}`)
        .send({ operator: toOperator(row), initialPassword });
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string; role?: Role; kind?: 'human' | 'service' } }>(
    '/api/v1/operators',
    {
      config: { permission: 'operators:read', action: 'operator.list' },
      schema: {
        tags: ['operators'],
        summary: 'List operators and service accounts, newest first',
        querystring: operatorListQuery,
        response: { 200: operatorListReply },
      },
    },
    async (req) => {
      const { cursor, ...filters } = req.query;
      const at = cursor ? decodeCursor(cursor) : undefined;
      if (cursor && !at)
        throw apiError(
          'VALIDATION_FAILED',
          'querystring/cursor is not one this API gave out; pass nextCursor from the previous page',
          'querystring/cursor',
        );
      const { rows, next } = await listOperators(pool, { ...filters, ...(at ? { cursor: at } : {}) });
      return { items: rows.map(toOperator), nextCursor: next ? encodeCursor(next) : null };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/operators/:id',
    {
      config: { permission: 'operators:read', action: 'operator.read' },
      schema: {
        tags: ['operators'],
        summary: 'Get an operator',
        params: operatorParams,
        response: { 200: operatorSchema },
      },
    },
    async (req) => {
      const row = await getOperator(pool, req.params.id);
      if (!row) throw noneFound(req.params.id);
      return toOperator(row);
    },
  );

  app.patch<{ Params: { id: string }; Body: Patch }>(
    '/api/v1/operators/:id',
    {
      config: { permission: 'operators:write', action: 'operator.update' },
      schema: {
        tags: ['operators'],
        summary: "Change an operator's role, tenants, or disable it",
        description:
          'Changing an owner, or making one, needs operators:owners. The last enabled owner cannot be demoted or disabled (409). Disabling ends the sessions of the account; its API tokens stop working until it is enabled again.',
        params: operatorParams,
        body: patchBody,
        response: { 200: operatorSchema },
      },
    },
    async (req) => {
      const { id } = req.params;
      const patch = req.body;
      req.audit.target = `operator:${id}`;
      const row = await auditedTransaction(pool, req, 200, async (c) => {
        const current = await getOperator(c, id, true);
        if (!current) throw noneFound(id);
        req.audit.before = toOperator(current);
        if (current.role === 'owner' || patch.role === 'owner') requireOwnersPermission(req);
        const role = patch.role ?? current.role;
        const tenantIds = 'tenantIds' in patch ? (patch.tenantIds ?? null) : current.tenant_ids;
        if (role === 'owner' && current.kind === 'service')
          throw apiError('VALIDATION_FAILED', 'body/role cannot be owner for a service account', 'body/role');
        if (role === 'owner' && tenantIds)
          throw apiError(
            'VALIDATION_FAILED',
            'body/tenantIds must be null for an owner: owners see every tenant',
            'body/tenantIds',
          );
        const staysActiveOwner =
          role === 'owner' && (patch.disabled ?? current.disabled_at !== null) === false;
        if (activeOwner(current) && !staysActiveOwner && (await otherActiveOwners(c, id)) === 0)
          throw apiError(
            'LAST_OWNER',
            'this is the last enabled owner: make another owner first, then demote or disable this one',
          );
        const updated = await updateOperator(c, id, patch);
        // A disabled account's sessions end for good; its API tokens only pause while it is disabled.
        if (patch.disabled) await revokeOtherSessions(c, id, null);
        req.audit.after = toOperator(updated);
        return updated;
      });
      return toOperator(row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/operators/:id',
    {
      config: { permission: 'operators:write', action: 'operator.delete' },
      schema: {
        tags: ['operators'],
        summary: 'Delete an operator, with its sessions and API tokens',
        description:
          'Deleting an owner needs operators:owners; the last enabled owner cannot be deleted (409).',
        params: operatorParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      req.audit.target = `operator:${id}`;
      await auditedTransaction(pool, req, 204, async (c) => {
        const current = await getOperator(c, id, true);
        if (!current) throw noneFound(id);
        req.audit.before = toOperator(current);
        if (current.role === 'owner') requireOwnersPermission(req);
        if (activeOwner(current) && (await otherActiveOwners(c, id)) === 0)
          throw apiError(
            'LAST_OWNER',
            'this is the last enabled owner: make another owner first, then delete this one',
          );
        await deleteOperator(c, id);
        req.audit.after = null;
      });
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/operators/:id/login-lock',
    {
      config: { permission: 'operators:unlock', action: 'operator.login-unlock' },
      schema: {
        tags: ['operators'],
        summary: "Lift an account's login locks",
        description:
          'Forgets the failed logins of the account and lifts its locks, at every source address and across them; locks of source addresses themselves stay. Lifting a lock grants nothing (the password is still needed), so it is allowed for owners too, and lets the last owner in again. Answers 204 whether or not a lock was in force.',
        params: operatorParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      req.audit.target = `operator:${id}`;
      const row = await getOperator(pool, id);
      if (!row) throw noneFound(id);
      if (row.kind !== 'human' || !row.email)
        throw apiError('INVALID_STATE', 'a service account does not log in: it has no login lock');
      const { locksLifted } = await opts.throttle.unlock(row.email);
      req.audit.before = { email: row.email, activeLoginLocks: locksLifted };
      req.audit.after = { email: row.email, activeLoginLocks: 0 };
      return reply.code(204).send();
    },
  );
}
