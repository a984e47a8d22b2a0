import { useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from './api.ts';

type Me = Awaited<ReturnType<typeof fetchMe>>;

const fetchMe = () => unwrap(api.GET('/api/v1/me'));

/** The caller (account, role, permissions, tenant scope); a 401 means nobody is logged in. */
export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000 });
}

/** Whether the logged-in account holds a permission (e.g. `tenants:suspend`). What it may not do is not offered. */
export function useCan(): (permission: string) => boolean {
  const granted = new Set<string>(useMe().data?.permissions ?? []);
  return (permission) => granted.has(permission);
}

export type { Me, Schemas };
