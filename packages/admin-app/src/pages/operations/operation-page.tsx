import { Anchor, Breadcrumbs, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { OperationProgress } from '../../components/operation-progress.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { useTitle } from '../../components/use-title.ts';
import { formatDate, kindLabel } from '../../format.ts';
import { useOperation } from '../../operations.ts';

export function OperationPage() {
  const { id = '' } = useParams();
  const { data: op, error } = useOperation(id);
  useTitle(op ? `${kindLabel(op.kind)} operation` : 'Operation');
  if (error) return <ProblemAlert error={error} />;
  if (!op) return <Skeleton height={200} />;
  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/operations" size="sm">
          Operations
        </Anchor>
        <Text size="sm">{op.id}</Text>
      </Breadcrumbs>
      <Group gap="sm">
        <Title order={1}>{kindLabel(op.kind)}</Title>
        <StateBadge state={op.state} size="lg" />
      </Group>
      <OperationProgress operation={op} compact />
      <Paper p="lg">
        <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl" m={0} spacing="lg">
          {[
            [
              'Tenant',
              <Anchor key="t" component={Link} to={`/tenants/${op.tenantId}`}>
                {op.tenantId}
              </Anchor>,
            ],
            ['Kind', op.kind],
            ['Attempts', String(op.attempts ?? '—')],
            ['Created', formatDate(op.createdAt)],
            ['Started', formatDate(op.startedAt)],
            ['Finished', formatDate(op.finishedAt)],
          ].map(([label, value]) => (
            <div key={String(label)}>
              <Text size="xs" c="dimmed" fw={600} tt="uppercase" component="dt">
                {label}
              </Text>
              <Text size="sm" component="dd" m={0}>
                {value}
              </Text>
            </div>
          ))}
        </SimpleGrid>
        {op.result && (
          <Text size="sm" mt="md" ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
            {JSON.stringify(op.result, null, 2)}
          </Text>
        )}
      </Paper>
    </Stack>
  );
}
