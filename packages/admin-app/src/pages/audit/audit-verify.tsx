import { Alert, Button, List, Text } from '@mantine/core';
import { IconAlertOctagon, IconShieldCheck } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { toneStyle } from '../admin-kit/tone.tsx';

type Verdict = Awaited<ReturnType<typeof verify>>;
const verify = () => unwrap(api.POST('/api/v1/audit/verify', { body: {} }));

const checkpointWords: Record<Verdict['checkpoint']['outcome'], string> = {
  matches: 'The last signed checkpoint matches the log.',
  truncated: 'Entries were removed from the end of the log since the last signed checkpoint.',
  missing: 'The entry the last checkpoint signed is missing.',
  rewritten: 'The entry the last checkpoint signed was rewritten.',
  bad_signature: 'The last checkpoint was not signed by the audit service.',
  no_checkpoint: 'No checkpoint was signed yet: the chain was checked on its own.',
  unanchored: 'No checkpoint key is configured: only the chain itself was checked.',
};

const problemWords = {
  changed: 'its content no longer gives its hash (changed)',
  missing: 'positions before it are missing',
  relinked: 'it does not link to the entry before it (relinked)',
} as const;

export function useVerifyChain() {
  return useMutation({ mutationFn: verify });
}

export function VerifyButton({ run }: { run: ReturnType<typeof useVerifyChain> }) {
  return (
    <Button
      variant="default"
      leftSection={<IconShieldCheck size={18} aria-hidden />}
      loading={run.isPending}
      onClick={() => run.mutate()}
    >
      Verify chain
    </Button>
  );
}

/** The verdict said plainly: intact, or the first entry where the chain breaks and why. */
export function VerifyResult({ run }: { run: ReturnType<typeof useVerifyChain> }) {
  if (run.error) return <ProblemAlert error={run.error} title="The chain could not be verified" />;
  const v = run.data;
  if (!v) return null;
  const range = v.fromSeq !== null ? ` (entries ${v.fromSeq}–${v.toSeq})` : '';
  if (v.ok)
    return (
      <Alert
        color="green"
        style={toneStyle('green', '--alert-color')}
        variant="light"
        role="status"
        icon={<IconShieldCheck size={18} aria-hidden />}
        title="Chain intact"
      >
        <Text size="sm">
          {v.checked} {v.checked === 1 ? 'entry' : 'entries'} checked{range}: every entry links to the one
          before it. {checkpointWords[v.checkpoint.outcome]}
        </Text>
      </Alert>
    );
  return (
    <Alert
      color="red"
      style={toneStyle('red', '--alert-color')}
      variant="light"
      role="alert"
      icon={<IconAlertOctagon size={18} aria-hidden />}
      title={
        v.firstBroken ? `Chain broken at entry ${v.firstBroken.seq}` : 'The log does not match its checkpoint'
      }
    >
      <List size="sm" spacing={4}>
        {v.firstBroken ? (
          <List.Item>
            Entry {v.firstBroken.seq}: {problemWords[v.firstBroken.problem]}. {v.firstBroken.detail}
          </List.Item>
        ) : null}
        <List.Item>
          {checkpointWords[v.checkpoint.outcome]} {v.checkpoint.detail}
        </List.Item>
        {v.checkpoint.missing ? (
          <List.Item>
            Entries {v.checkpoint.missing.fromSeq}–{v.checkpoint.missing.toSeq} are gone.
          </List.Item>
        ) : null}
      </List>
      <Text size="xs" mt="xs">
        {v.checked} entries checked{range}.
      </Text>
    </Alert>
  );
}
