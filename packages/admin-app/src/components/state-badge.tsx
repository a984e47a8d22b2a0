import { Badge } from '@mantine/core';

const tones: Record<string, string> = {
  pending: 'gray',
  queued: 'gray',
  provisioning: 'blue',
  running: 'blue',
  active: 'green',
  succeeded: 'green',
  passed: 'green',
  installed: 'green',
  success: 'green',
  processed: 'green',
  verified: 'green',
  suspended: 'orange',
  'to upgrade': 'orange',
  'to install': 'blue',
  'to remove': 'orange',
  denied: 'orange',
  failed: 'red',
  deleting: 'red',
  restoring: 'violet',
  migrating: 'violet',
  deleted: 'dark',
  trialing: 'blue',
  past_due: 'orange',
  unpaid: 'red',
  canceled: 'dark',
  paused: 'orange',
};

/** A state as a coloured badge; the word is always shown, so colour is never the only signal. */
export function StateBadge({ state, size = 'md' }: { state: string; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge className="ocp-state" data-tone={tones[state] ?? 'gray'} size={size} variant="light">
      {state.replace(/_/g, ' ')}
    </Badge>
  );
}
