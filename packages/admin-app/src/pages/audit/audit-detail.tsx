import { Anchor, Code, Drawer, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatTime } from '../admin-kit/format.ts';
import { ToneBadge } from '../admin-kit/tone.tsx';
import type { AuditEntry } from './audit-page.tsx';

const outcomeColor = { success: 'green.9', denied: 'orange.9', failed: 'red.9' } as const;

export function OutcomeBadge({ outcome }: { outcome: AuditEntry['outcome'] }) {
  return <ToneBadge tone={outcomeColor[outcome]}>{outcome}</ToneBadge>;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-all' }} component="div">
        {children ?? '—'}
      </Text>
    </div>
  );
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * One audit entry whole: who did what to which target, from where, with its outcome, the state
 * before and after, the rest of the recorded event, and its place in the hash chain.
 */
export function AuditDetail(props: {
  entry: AuditEntry | null;
  onClose: () => void;
  onFilter: (key: 'actor' | 'action' | 'tenantId', value: string) => void;
}) {
  const e = props.entry;
  const data = (e?.data ?? {}) as Record<string, unknown>;
  const { before, after, ...rest } = data;
  const str = (k: string) =>
    typeof data[k] === 'string' || typeof data[k] === 'number' ? String(data[k]) : null;
  return (
    <Drawer
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={e !== null}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={e ? `Entry #${e.seq}: ${e.action}` : ''}
    >
      {e ? (
        <Stack gap="md">
          <SimpleGrid cols={2} spacing="sm">
            <Field label="Time">{formatTime(e.time)}</Field>
            <Field label="Outcome">
              <Group gap={6}>
                <OutcomeBadge outcome={e.outcome} />
                {str('status') ? <Text size="sm">HTTP {str('status')}</Text> : null}
              </Group>
            </Field>
            <Field label="Actor">
              {str('actorEmail') ? `${str('actorEmail')} ` : ''}
              <Anchor component="button" size="sm" onClick={() => props.onFilter('actor', e.actor)}>
                {e.actor}
              </Anchor>
            </Field>
            <Field label="Action">
              <Anchor component="button" size="sm" onClick={() => props.onFilter('action', e.action)}>
                {e.action}
              </Anchor>
            </Field>
            <Field label="Target">{e.target}</Field>
            <Field label="Tenant">
              {e.tenantId ? (
                <Anchor
                  component="button"
                  size="sm"
                  onClick={() => props.onFilter('tenantId', e.tenantId ?? '')}
                >
                  {e.tenantId}
                </Anchor>
              ) : null}
            </Field>
            <Field label="Request">{str('method') ? `${str('method')} ${str('path') ?? ''}` : null}</Field>
            <Field label="Source">{str('sourceIp')}</Field>
          </SimpleGrid>
          {str('reason') ? <Field label="Reason">{str('reason')}</Field> : null}
          {str('userAgent') ? <Field label="User agent">{str('userAgent')}</Field> : null}
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <div>
              <Title order={3} size="h6" mb={4}>
                Before
              </Title>
              <Code block tabIndex={0} aria-label="State before">
                {before === undefined ? 'not recorded' : json(before)}
              </Code>
            </div>
            <div>
              <Title order={3} size="h6" mb={4}>
                After
              </Title>
              <Code block tabIndex={0} aria-label="State after">
                {after === undefined ? 'not recorded' : json(after)}
              </Code>
            </div>
          </SimpleGrid>
          <div>
            <Title order={3} size="h6" mb={4}>
              Recorded event
            </Title>
            <Code block tabIndex={0} aria-label="Recorded event">
              {json({ id: e.id, type: e.type, source: e.source, data: rest })}
            </Code>
          </div>
          <div>
            <Title order={3} size="h6" mb={4}>
              Hash chain
            </Title>
            <Code
              block
              tabIndex={0}
              aria-label="Hash chain"
            >{`position  ${e.seq}\nprevious  ${e.prevHash}\nhash      ${e.hash}`}</Code>
          </div>
        </Stack>
      ) : null}
    </Drawer>
  );
}
