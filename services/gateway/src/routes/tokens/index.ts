import type { Pool } from '@ocp/db';
import type { FastifyInstance } from 'fastify';
import { findServiceAccount, insertOperator } from '../../db/operators.ts';
import { decodeCursor, encodeCursor } from '../../db/pages.ts';
import { getToken, insertToken, listTokens, revokeToken, toApiToken } from '../../db/tokens.ts';
import { newToken } from '../../domain/passwords.ts';
import { accountPermissions, type Permission, type Role, whyDenied } from '../../domain/permissions.ts';
import { apiError, forbidden } from '../../errors.ts';
import { auditedTransaction } from '../../plugins/audit.ts';
import { API_TOKEN_PREFIX } from '../../plugins/auth.ts';
import {
  createTokenBody,
  createTokenReply,
  tokenListQuery,
  tokenListReply,
  tokenParams,
} from '../../schemas/tokens.ts';

interface CreateToken {
  name: string;
  scopes: Permission[];
  expiresInDays: number;
  serviceAccount?: string;
}

/** `/api/v1/tokens`: scoped, expiring API tokens for people and service accounts. */
export default async function tokenRoutes(app: FastifyInstance, opts: { pool: Pool }) {
  const { pool } = opts;

  app.post<{ Body: CreateToken }>(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:own', action: 'token.create' },
      schema: {
        tags: ['tokens'],
        summary: 'Make an API token',
        description:
          "Scopes must be permissions the maker holds. A request with the token is allowed only when both its scopes and its account's current role allow it. The token is answered once and stored as its SHA-256.",
        body: createTokenBody,
        response: { 201: createTokenReply },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const { name, scopes, expiresInDays, serviceAccount } = req.body;
      const denied = (perm: Permission, why: string) => forbidden(perm, `you cannot grant ${perm}: ${why}`);
      for (const s of scopes)
        if (!p.permissions.has(s))
          throw denied(s, whyDenied(s, p.operator.role, p.operator.tenantIds, p.token?.scopes ?? null));
      if (serviceAccount && !p.permissions.has('operators:write'))
        throw forbidden(
          'operators:write',
          `a token for a service account needs operators:write: ${whyDenied('operators:write', p.operator.role, p.operator.tenantIds, p.token?.scopes ?? null)}`,
        );
      const secret = newToken(API_TOKEN_PREFIX);
      const row = await auditedTransaction(pool, req, 201, async (c) => {
        let operatorId = p.operator.id;
        if (serviceAccount) {
          // Owners are people: a service account made by an owner is an admin.
          const role: Role = p.operator.role === 'owner' ? 'admin' : p.operator.role;
          const account =
            (await findServiceAccount(c, serviceAccount)) ??
            (await insertOperator(c, {
              kind: 'service',
              name: serviceAccount,
              role,
              tenantIds: p.operator.tenantIds,
            }));
          if (!account)
            throw apiError(
              'INVALID_STATE',
              `the service account ${serviceAccount} was just made by another request; try again`,
            );
          if (account.disabled_at)
            throw apiError(
              'INVALID_STATE',
              `the service account ${serviceAccount} is disabled; enable it with PATCH /api/v1/operators/${account.id}`,
            );
          const its = accountPermissions(account.role, account.tenant_ids);
          for (const s of scopes)
            if (!its.has(s))
              throw denied(
                s,
                `the service account ${serviceAccount} (role ${account.role}) does not hold it`,
              );
          operatorId = account.id;
        }
        const made = await insertToken(c, {
          operatorId,
          createdBy: p.operator.id,
          name,
          hash: secret.hash,
          scopes,
          days: expiresInDays,
        });
        req.audit.target = `token:${made.id}`;
        req.audit.after = toApiToken(made);
        return made;
      });
      return reply.code(201).send({ token: secret.token, apiToken: toApiToken(row) });
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:own', action: 'token.list' },
      schema: {
        tags: ['tokens'],
        summary: 'List API tokens, newest first',
        description:
          'The caller’s own tokens and those it made for service accounts; with tokens:all, every token. Never the token itself.',
        querystring: tokenListQuery,
        response: { 200: tokenListReply },
      },
    },
    async (req) => {
      const p = req.principal!;
      const at = req.query.cursor ? decodeCursor(req.query.cursor) : undefined;
      if (req.query.cursor && !at)
        throw apiError(
          'VALIDATION_FAILED',
          'querystring/cursor is not one this API gave out; pass nextCursor from the previous page',
          'querystring/cursor',
        );
      const { rows, next } = await listTokens(pool, {
        limit: req.query.limit,
        cursor: at,
        ...(p.permissions.has('tokens:all') ? {} : { ownerOrCreator: p.operator.id }),
      });
      return { items: rows.map(toApiToken), nextCursor: next ? encodeCursor(next) : null };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: { permission: 'tokens:own', action: 'token.revoke' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        description:
          'One’s own tokens (and those one made); with tokens:all, any token. It stops working at once.',
        params: tokenParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const { id } = req.params;
      req.audit.target = `token:${id}`;
      await auditedTransaction(pool, req, 204, async (c) => {
        const t = await getToken(c, id);
        const mine = t && (t.operator_id === p.operator.id || t.created_by === p.operator.id);
        if (!t || (!mine && !p.permissions.has('tokens:all')))
          throw apiError('TOKEN_NOT_FOUND', `no API token ${id} among yours`);
        req.audit.before = toApiToken(t);
        const revoked = await revokeToken(c, id);
        req.audit.after = revoked ? toApiToken(revoked) : null;
      });
      return reply.code(204).send();
    },
  );
}
