import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { useCan } from '../../session.tsx';
import { shortId } from './format.ts';

/** What a table shows of a tenant it names by id. */
export type TenantName = Pick<Schemas['Tenant'], 'id' | 'slug' | 'displayName' | 'state'>;

/** The most ids one request names: the API's bound on `id`. */
const PER_REQUEST = 100;

/** The cache entry of one tenant's name (null: the API does not answer it to this account). */
export const tenantNameKey = (id: string) => ['tenant-name', id] as const;

type Waiter = { resolve(name: TenantName | null): void; reject(e: unknown): void };

/**
 * A loader of names by id: the ids asked for within one tick go together in
 * `GET /api/v1/tenants?id=…&id=…`, 100 a request, so the cells of a table page cost one request
 * whatever their number. An id the API leaves out (unknown, or outside the account's tenants) is null.
 */
function nameLoader(): (id: string) => Promise<TenantName | null> {
  let waiting = new Map<string, Waiter[]>();
  const settle = async (ids: string[], batch: Map<string, Waiter[]>) => {
    try {
      const query = { id: ids, limit: ids.length };
      const page = await unwrap(api.GET('/api/v1/tenants', { params: { query } }));
      const found = new Map(
        page.items.map(({ id, slug, displayName, state }) => [id, { id, slug, displayName, state }]),
      );
      for (const id of ids) for (const w of batch.get(id) ?? []) w.resolve(found.get(id) ?? null);
    } catch (e) {
      for (const id of ids) for (const w of batch.get(id) ?? []) w.reject(e);
    }
  };
  const flush = () => {
    const batch = waiting;
    waiting = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += PER_REQUEST) void settle(ids.slice(i, i + PER_REQUEST), batch);
  };
  return (id) =>
    new Promise((resolve, reject) => {
      if (waiting.size === 0) setTimeout(flush, 0);
      waiting.set(id, [...(waiting.get(id) ?? []), { resolve, reject }]);
    });
}

/**
 * The names of the tenants a page shows, by id: each is cached on its own (`tenantNameKey`), and
 * the ones not yet known are asked for together, so a table page costs one request and the next
 * page only asks for its new tenants. Deleted tenants are answered too (an operation or audit entry
 * can name one). Without `tenants:read`, or while loading, a tenant shows the start of its id.
 */
export function useTenantNames(ids: ReadonlyArray<string | null | undefined>) {
  const can = useCan();
  const [load] = useState(nameLoader);
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: tenantNameKey(id),
      queryFn: () => load(id),
      enabled: can('tenants:read'),
      // A rename reaches the entry through the event stream (live-events.tsx).
      staleTime: 5 * 60_000,
    })),
  });
  const byId = new Map<string, TenantName>();
  for (const r of results) if (r.data) byId.set(r.data.id, r.data);
  return {
    /** The tenant's slug, name and state, once known. */
    of: (id: string): TenantName | undefined => byId.get(id),
    /** The slug, or the start of the id while it is not known. */
    slugOf: (id: string): string => byId.get(id)?.slug ?? shortId(id),
  };
}

/** The names `useTenantNames` answers. */
export type TenantNames = ReturnType<typeof useTenantNames>;
