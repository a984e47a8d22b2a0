import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { kindLabel } from './format.ts';
import type { Operation } from './operations.ts';

interface Tracker {
  operations: Operation[];
  /** Shows an operation the user just started, where its tenant is shown, until dismissed. */
  track(op: Operation): void;
  dismiss(id: string): void;
}

const TrackerContext = createContext<Tracker>({ operations: [], track() {}, dismiss() {} });

export const useTrackedOperations = (): Tracker => useContext(TrackerContext);

/** The operations started in this tab, so their progress follows the user across pages. */
export function TrackedOperationsProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [operations, setOperations] = useState<Operation[]>([]);
  const track = useCallback(
    (op: Operation) => {
      qc.setQueryData(['operation', op.id], op);
      setOperations((ops) => [op, ...ops.filter((o) => o.id !== op.id)].slice(0, 3));
      void qc.invalidateQueries({ queryKey: ['operations'] });
      notifications.show({
        title: `${kindLabel(op.kind)} started`,
        message: 'Its progress shows on the tenant page.',
      });
    },
    [qc],
  );
  const dismiss = useCallback((id: string) => setOperations((ops) => ops.filter((o) => o.id !== id)), []);
  const value = useMemo(() => ({ operations, track, dismiss }), [operations, track, dismiss]);
  return <TrackerContext.Provider value={value}>{children}</TrackerContext.Provider>;
}
