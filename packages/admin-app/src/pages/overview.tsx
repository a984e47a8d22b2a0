import { BarChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../api.ts';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { TenantName } from '../components/tenant-name.tsx';
import { useTitle } from '../components/use-title.ts';
import { ago, kindLabel } from '../format.ts';
import { useCan } from '../session.tsx';
import { useTenantNames } from './admin-kit/tenant-names.ts';

type State = Schemas['Tenant']['state'];

/** The states the chart shows, in this order (deleted tenants are left out). */
const order: State[] = [
  'active',
  'provisioning',
  'pending',
  'suspended',
  'failed',
  'restoring',
  'migrating',
  'deleting',
];

function Panel({
  title,
  children,
  link,
}: {
  title: string;
  children: React.ReactNode;
  link?: { to: string; label: string };
}) {
  return (
    <Paper p="lg" component="section" aria-label={title}>
      <Group justify="space-between" mb="md">
        <Title order={2} size="h4">
          {title}
        </Title>
        {link && (
          <Anchor component={Link} to={link.to} size="sm">
            {link.label}
          </Anchor>
        )}
      </Group>
      {children}
    </Paper>
  );
}

function TenantsByState() {
  const stats = useQuery({
    queryKey: ['stats'],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/stats')),
  });
  if (stats.error) return <ProblemAlert error={stats.error} />;
  if (!stats.data) return <Skeleton height={220} />;
  const { byState, total } = stats.data;
  const data = order.map((state) => ({ state, tenants: byState[state] }));
  const live = total - byState.deleted;
  return (
    <Stack>
      <Group gap="xl">
        <div>
          <Text size="xl" fw={700} data-testid="tenant-total">
            {live}
          </Text>
          <Text size="sm" c="dimmed">
            tenants (not deleted)
          </Text>
        </div>
        {(['active', 'suspended', 'failed'] as const).map((s) => (
          <Anchor key={s} component={Link} to={`/tenants?state=${s}`} underline="never">
            <Text size="xl" fw={700} c="var(--mantine-color-text)">
              {byState[s]}
            </Text>
            <StateBadge state={s} size="sm" />
          </Anchor>
        ))}
      </Group>
      <div
        role="img"
        aria-label={`Tenants by state: ${data.map((d) => `${d.state} ${d.tenants}`).join(', ')}`}
      >
        <BarChart
          h={220}
          data={data}
          dataKey="state"
          series={[{ name: 'tenants', color: 'odoo.6' }]}
          tickLine="y"
        />
      </div>
    </Stack>
  );
}

function FailingOperations() {
  const ops = useQuery({
    queryKey: ['operations', { state: 'failed', limit: 8 }],
    queryFn: () =>
      unwrap(api.GET('/api/v1/operations', { params: { query: { state: 'failed', limit: 8 } } })),
  });
  const names = useTenantNames(ops.data?.items.map((op) => op.tenantId) ?? []);
  if (ops.error) return <ProblemAlert error={ops.error} />;
  if (!ops.data) return <Skeleton height={120} />;
  if (ops.data.items.length === 0) return <Text c="dimmed">No failed operations. All clear.</Text>;
  return (
    <Table aria-label="Failed operations">
      <Table.Tbody>
        {ops.data.items.map((op) => (
          <Table.Tr key={op.id}>
            <Table.Td>
              <Anchor component={Link} to={`/operations/${op.id}`} fw={600} size="sm">
                {kindLabel(op.kind)}
              </Anchor>
              <Text size="xs" c="var(--mantine-color-error)" lineClamp={2}>
                {op.error}
              </Text>
            </Table.Td>
            <Table.Td>
              <TenantName id={op.tenantId} names={names} link />
            </Table.Td>
            <Table.Td>
              <Text size="sm">{ago(op.updatedAt)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** How many overdue tenants one request counts; beyond it the card says "more than". */
const OVERDUE_PAGE = 200;
const OVERDUE_SHOWN = 5;

/** Tenants whose last backup is older than the schedule allows, the latest first. */
function OverdueBackups() {
  const overdue = useQuery({
    queryKey: ['backups-overdue'],
    queryFn: () => unwrap(api.GET('/api/v1/backups/overdue', { params: { query: { limit: OVERDUE_PAGE } } })),
    refetchInterval: 5 * 60_000,
  });
  if (overdue.error) return <ProblemAlert error={overdue.error} />;
  if (!overdue.data) return <Skeleton height={120} />;
  const { items, nextCursor, graceMinutes } = overdue.data;
  if (items.length === 0)
    return <Text c="dimmed">Every tenant has a backup from the last day. All clear.</Text>;
  const latest = [...items].sort((a, b) => b.lateSeconds - a.lateSeconds).slice(0, OVERDUE_SHOWN);
  return (
    <Stack gap="sm">
      <Group gap="xs" align="baseline">
        <Text size="xl" fw={700} data-testid="overdue-count">
          {nextCursor ? `${items.length}+` : items.length}
        </Text>
        <Text size="sm" c="dimmed">
          {items.length === 1 && !nextCursor ? 'tenant' : 'tenants'} without a backup for more than a day
          {graceMinutes ? ` and ${graceMinutes} min` : ''}
        </Text>
      </Group>
      <Table aria-label="Tenants with overdue backups">
        <Table.Tbody>
          {latest.map((t) => (
            <Table.Tr key={t.tenantId}>
              <Table.Td>
                <Anchor component={Link} to={`/tenants/${t.tenantId}?tab=backups`} fw={600} size="sm">
                  {t.slug}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <StateBadge state={t.state} size="sm" />
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {t.lastBackupAt ? `last backup ${ago(t.lastBackupAt)}` : 'never backed up'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function BillingEvents() {
  const events = useQuery({
    queryKey: ['billing-webhooks', 'recent'],
    queryFn: () => unwrap(api.GET('/api/v1/billing/webhooks', { params: { query: { limit: 8 } } })),
  });
  const names = useTenantNames(events.data?.items.map((e) => e.tenantId) ?? []);
  if (events.error) return <ProblemAlert error={events.error} />;
  if (!events.data) return <Skeleton height={120} />;
  if (events.data.items.length === 0) return <Text c="dimmed">No billing events received yet.</Text>;
  return (
    <Table aria-label="Recent billing events">
      <Table.Tbody>
        {events.data.items.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td>
              <Text size="sm" fw={600}>
                {e.providerEventType ?? 'event'}
              </Text>
              <Text size="xs" c="dimmed">
                {e.provider}
              </Text>
            </Table.Td>
            <Table.Td>
              <StateBadge state={e.status} size="sm" />
            </Table.Td>
            <Table.Td>
              {e.tenantId ? (
                <TenantName id={e.tenantId} names={names} link />
              ) : (
                <Text size="sm" c="dimmed">
                  no tenant
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{ago(e.receivedAt)}</Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function OverviewPage() {
  useTitle('Overview');
  const can = useCan();
  return (
    <Stack gap="lg">
      <Title order={1}>Fleet overview</Title>
      <Panel title="Tenants by state" link={{ to: '/tenants', label: 'All tenants' }}>
        <TenantsByState />
      </Panel>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {can('operations:read') && (
          <Panel title="Failed operations" link={{ to: '/operations?state=failed', label: 'All failed' }}>
            <FailingOperations />
          </Panel>
        )}
        {can('backups:read') && (
          <Panel title="Backups overdue">
            <OverdueBackups />
          </Panel>
        )}
        {can('billing:read') && (
          <Panel title="Recent billing events">
            <BillingEvents />
          </Panel>
        )}
      </SimpleGrid>
    </Stack>
  );
}
