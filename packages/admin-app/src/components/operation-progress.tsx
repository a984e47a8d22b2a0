import { Anchor, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatBytes, kindLabel } from '../format.ts';
import { isDone, type Operation, useOperation } from '../operations.ts';
import { StateBadge } from './state-badge.tsx';

const barColor = (op: Operation) =>
  op.state === 'failed' ? 'red.8' : op.state === 'succeeded' ? 'green.8' : undefined;

/** An operation's progress bar, moving until the operation ends (then its outcome or error). */
export function OperationProgress({ operation, compact }: { operation: Operation; compact?: boolean }) {
  const { data } = useOperation(operation.id, operation);
  const op = data ?? operation;
  const label = `${kindLabel(op.kind)} progress`;
  // A restore into a new tenant (or a copy) names the tenant it made once it is done.
  const made =
    op.state === 'succeeded' && typeof op.result?.tenantId === 'string' && op.result.tenantId !== op.tenantId
      ? op.result.tenantId
      : undefined;
  return (
    <Paper p="md" data-operation={op.id} data-state={op.state}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <Text fw={600}>{kindLabel(op.kind)}</Text>
            <StateBadge state={op.state} size="sm" />
          </Group>
          {!compact && (
            <Anchor component={Link} to={`/operations/${op.id}`} size="sm">
              Details
            </Anchor>
          )}
        </Group>
        <Progress
          value={op.state === 'succeeded' ? 100 : op.progress}
          aria-label={label}
          size="lg"
          animated={!isDone(op)}
          striped={!isDone(op)}
          {...(barColor(op) ? { color: barColor(op) } : {})}
        />
        <Group justify="space-between" gap="xs">
          <Text size="sm" c="dimmed">
            {op.state === 'succeeded' ? 100 : op.progress} %{op.step ? ` · ${op.step}` : ''}
            {op.bytesDone ? ` · ${formatBytes(op.bytesDone)}` : ''}
          </Text>
        </Group>
        {made && (
          <Anchor component={Link} to={`/tenants/${made}`} size="sm">
            Open the new tenant
          </Anchor>
        )}
        {op.state === 'failed' && op.error && (
          <Text size="sm" c="var(--mantine-color-error)" role="alert">
            {op.error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
