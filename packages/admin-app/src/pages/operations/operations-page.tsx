import { Anchor, Group, Paper, Progress, Select, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { operationKinds, operationStates } from '@ocp/api-client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { TenantName } from '../../components/tenant-name.tsx';
import { TenantPicker } from '../../components/tenant-picker.tsx';
import { useTitle } from '../../components/use-title.ts';
import { ago, kindLabel } from '../../format.ts';
import { useLiveState } from '../../live-events.tsx';
import { Pager } from '../admin-kit/pager.tsx';
import { useTenantNames } from '../admin-kit/tenant-names.ts';

type Operation = Schemas['Operation'];
type OperationQuery = {
  limit: number;
  state?: Operation['state'];
  kind?: Operation['kind'];
  tenantId?: string;
  cursor?: string;
};

export function OperationsPage() {
  useTitle('Operations');
  const live = useLiveState();
  const [params, setParams] = useSearchParams();
  const after = (params.get('after') ?? '').split(',').filter(Boolean);
  const state = operationStates.find((s) => s === params.get('state'));
  const kind = operationKinds.find((k) => k === params.get('kind'));
  const tenantId = params.get('tenantId');
  const cursor = after[after.length - 1];
  const query: OperationQuery = {
    limit: 50,
    ...(state ? { state } : {}),
    ...(kind ? { kind } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const list = useQuery({
    queryKey: ['operations', query],
    queryFn: () => unwrap(api.GET('/api/v1/operations', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: live === 'live' ? false : 5_000,
  });
  const set = (key: string, value: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set(key, value);
      else next.delete(key);
      next.delete('after');
      return next;
    });
  const page = (to: string[]) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (to.length) next.set('after', to.join(','));
      else next.delete('after');
      return next;
    });
  const items = list.data?.items ?? [];
  const names = useTenantNames(items.map((op) => op.tenantId));
  return (
    <Stack gap="lg">
      <Title order={1}>Operations</Title>
      <Paper p="md">
        <Group gap="sm" align="flex-end">
          <Select
            label="State"
            placeholder="Any state"
            clearable
            w={180}
            data={operationStates}
            value={state ?? null}
            onChange={(v) => set('state', v)}
          />
          <Select
            label="Kind"
            placeholder="Any kind"
            clearable
            w={240}
            data={operationKinds.map((k) => ({ value: k, label: `${kindLabel(k)} (${k})` }))}
            value={kind ?? null}
            onChange={(v) => set('kind', v)}
          />
          <TenantPicker
            label="Tenant"
            clearable
            w={300}
            value={tenantId}
            onChange={(id) => set('tenantId', id)}
          />
        </Group>
      </Paper>
      <ProblemAlert error={list.error} />
      <Paper p={0}>
        <Table aria-label="Operations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Operation</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Progress</Table.Th>
              <Table.Th>Tenant</Table.Th>
              <Table.Th>Started</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isPending &&
              [0, 1, 2, 3, 4].map((i) => (
                <Table.Tr key={i}>
                  <Table.Td colSpan={5}>
                    <Skeleton height={14} />
                  </Table.Td>
                </Table.Tr>
              ))}
            {items.map((op) => (
              <Table.Tr key={op.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/operations/${op.id}`} fw={600}>
                    {kindLabel(op.kind)}
                  </Anchor>
                  {op.error && (
                    <Text size="xs" c="var(--mantine-color-error)" lineClamp={1}>
                      {op.error}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <StateBadge state={op.state} size="sm" />
                </Table.Td>
                <Table.Td w={180}>
                  <Progress
                    value={op.state === 'succeeded' ? 100 : op.progress}
                    aria-label={`${kindLabel(op.kind)} progress`}
                    {...(op.state === 'failed'
                      ? { color: 'red.8' }
                      : op.state === 'succeeded'
                        ? { color: 'green.8' }
                        : {})}
                  />
                </Table.Td>
                <Table.Td>
                  <TenantName id={op.tenantId} names={names} link />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{ago(op.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {list.isSuccess && items.length === 0 && (
          <Text p="lg" c="dimmed" ta="center">
            No operation matches.
          </Text>
        )}
      </Paper>
      <Pager
        label="Operations"
        page={after.length + 1}
        hasPrevious={after.length > 0}
        nextCursor={list.data?.nextCursor}
        onPrevious={() => page(after.slice(0, -1))}
        onNext={(cursor) => page([...after, cursor])}
      />
    </Stack>
  );
}
