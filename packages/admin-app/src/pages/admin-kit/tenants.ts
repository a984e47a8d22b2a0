import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { useCan } from '../../session.tsx';

/**
 * The tenants as choices for a picker and names for a table cell (slug by id). Only the first 200
 * are offered, which covers the scopes operators pick by hand; a tenant beyond them shows its id.
 */
export function useTenantNames() {
  const can = useCan();
  const q = useQuery({
    queryKey: ['tenants', 'names'],
    enabled: can('tenants:read'),
    staleTime: 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/tenants', { params: { query: { limit: 200 } } })),
  });
  const items = q.data?.items ?? [];
  const byId = new Map(items.map((t) => [t.id, t.slug]));
  return {
    options: items.map((t) => ({ value: t.id, label: `${t.slug} — ${t.displayName}` })),
    nameOf: (id: string) => byId.get(id) ?? id.slice(0, 8),
    loading: q.isLoading,
  };
}
