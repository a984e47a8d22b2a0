import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, type Schemas, unwrap } from './api.ts';
import { useLiveState } from './live-events.tsx';

export type Operation = Schemas['Operation'];

export const isDone = (op: Pick<Operation, 'state'> | undefined): boolean =>
  op?.state === 'succeeded' || op?.state === 'failed';

/**
 * One operation, kept current: the event stream replaces it in the cache as it moves; without
 * the stream it is refetched every 2 s until it ends. When it ends, what it changed is refetched.
 */
export function useOperation(id: string | undefined, initial?: Operation) {
  const live = useLiveState();
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: ['operation', id],
    queryFn: () => unwrap(api.GET('/api/v1/operations/{id}', { params: { path: { id: id as string } } })),
    enabled: Boolean(id),
    ...(initial ? { initialData: initial } : {}),
    refetchInterval: (q) => (isDone(q.state.data) ? false : live === 'live' ? 10_000 : 2_000),
  });
  const op = query.data;
  const ended = useRef(false);
  useEffect(() => {
    if (!op || !isDone(op) || ended.current) return;
    ended.current = true;
    for (const key of [
      ['tenant', op.tenantId],
      ['tenants'],
      ['backups', op.tenantId],
      ['modules', op.tenantId],
      ['stats'],
      ['operations'],
      ['audit', op.tenantId],
    ])
      void qc.invalidateQueries({ queryKey: key });
  }, [op, qc]);
  return query;
}
