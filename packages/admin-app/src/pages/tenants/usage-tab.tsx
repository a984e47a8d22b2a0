import { LineChart } from '@mantine/charts';
import {
  Alert,
  Button,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { formatDate } from '../../format.ts';
import { useCan } from '../../session.tsx';
import {
  formatFigure,
  formatLimit,
  levelColor,
  levelWords,
  type Metric,
  MIB,
  metricInfo,
  metrics,
} from '../admin-kit/quota-figures.ts';
import { ToneBadge, toneStyle } from '../admin-kit/tone.tsx';
import { OverrideModal } from './usage-override.tsx';
import { TrialModal } from './usage-trial.tsx';

type Tenant = Schemas['Tenant'];

const fetchQuota = (tenant: string) =>
  unwrap(api.GET('/api/v1/tenants/{tenant}/quota', { params: { path: { tenant } } }));
export type Quota = Schemas['TenantQuota'];

const DAY = 86_400_000;
const ranges = { '7': 7 * DAY, '30': 30 * DAY, '90': 90 * DAY } as const;
type Range = keyof typeof ranges;

/** Samples of the range, oldest first, one page of the API at most (enough for a chart). */
async function fetchHistory(tenant: string, range: Range) {
  const since = new Date(Date.now() - ranges[range]).toISOString();
  const page = await unwrap(
    api.GET('/api/v1/tenants/{tenant}/usage', {
      params: { path: { tenant }, query: { since, limit: 1000 } },
    }),
  );
  return [...page.items].sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
}

/** A figure against its limit: the numbers, a bar (none without a limit), and the level in words. */
function Meter({ metric, quota }: { metric: Metric; quota: Quota }) {
  const used = quota.usage?.[metric] ?? null;
  const limit = quota.limits[metric];
  const level = quota.levels[metric];
  const percent = limit !== null && used !== null ? (limit === 0 ? 100 : (used / limit) * 100) : null;
  const label = metricInfo[metric].label;
  return (
    <Paper p="md" withBorder data-metric={metric}>
      <Group justify="space-between" align="baseline" wrap="nowrap">
        <Text size="sm" fw={600} component="h3" m={0}>
          {label}
        </Text>
        <Tooltip label={levelWords[level]}>
          <ToneBadge tone={levelColor[level] ?? 'gray.8'} tabIndex={0}>
            {level}
          </ToneBadge>
        </Tooltip>
      </Group>
      <Text size="lg" fw={500} mt={4}>
        {formatFigure(metric, used)}{' '}
        <Text span size="sm" c="dimmed">
          of {formatLimit(metric, limit)}
          {percent !== null ? ` (${Math.round(percent)} %)` : ''}
        </Text>
      </Text>
      {limit === null ? (
        <Text size="xs" c="dimmed" mt="xs">
          No limit on this plan
        </Text>
      ) : (
        <Progress
          mt="xs"
          size="md"
          value={percent === null ? 0 : Math.min(100, percent)}
          color={levelColor[level]}
          aria-label={`${label}: ${formatFigure(metric, used)} of ${formatLimit(metric, limit)}`}
        />
      )}
    </Paper>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0}>
        {children ?? '—'}
      </Text>
    </div>
  );
}

/** The history of the figures: active users, and the sizes in MB, one line each. */
function HistoryCharts({ tenant }: { tenant: Tenant }) {
  const [range, setRange] = useState<Range>('30');
  const history = useQuery({
    queryKey: ['usage-history', tenant.id, range],
    queryFn: () => fetchHistory(tenant.id, range),
  });
  const points = (history.data ?? []).map((s) => ({
    date: formatDate(s.measuredAt),
    users: s.activeUsers,
    database: s.databaseBytes === null ? null : Math.round((s.databaseBytes / MIB) * 100) / 100,
    filestore: s.filestoreBytes === null ? null : Math.round((s.filestoreBytes / MIB) * 100) / 100,
    backups: s.backupBytes === null ? null : Math.round((s.backupBytes / MIB) * 100) / 100,
  }));
  return (
    <Paper p="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          History
        </Title>
        <SegmentedControl
          aria-label="History range"
          size="xs"
          value={range}
          onChange={(v) => setRange(v as Range)}
          data={[
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
            { value: '90', label: '90 days' },
          ]}
        />
      </Group>
      <ProblemAlert error={history.error} />
      {history.isPending && <Skeleton height={180} />}
      {history.isSuccess && points.length < 2 && (
        <Text c="dimmed" size="sm">
          {points.length === 0
            ? 'No measurement in this range.'
            : 'One measurement so far: the chart needs two.'}
        </Text>
      )}
      {points.length > 1 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <div>
            <Text size="sm" fw={600} mb="xs" id="usage-users">
              Active users
            </Text>
            <div role="img" aria-labelledby="usage-users">
              <LineChart
                h={180}
                data={points}
                dataKey="date"
                series={[{ name: 'users', label: 'Active users', color: 'odoo.6' }]}
                curveType="stepAfter"
                connectNulls={false}
              />
            </div>
          </div>
          <div>
            <Text size="sm" fw={600} mb="xs" id="usage-sizes">
              Sizes (MB)
            </Text>
            <div role="img" aria-labelledby="usage-sizes">
              <LineChart
                h={180}
                data={points}
                dataKey="date"
                withLegend
                series={[
                  { name: 'database', label: 'Database', color: 'blue.7' },
                  { name: 'filestore', label: 'Filestore', color: 'teal.7' },
                  { name: 'backups', label: 'Backups', color: 'grape.7' },
                ]}
                curveType="monotone"
                connectNulls={false}
              />
            </div>
          </div>
        </SimpleGrid>
      )}
    </Paper>
  );
}

/**
 * A tenant's usage against its plan's limits (with its override on top), what is enforced, its
 * trial, and the history of its figures. Changes are offered only to who may make them.
 */
export function UsageTab({ tenant }: { tenant: Tenant }) {
  const can = useCan();
  const client = useQueryClient();
  const [dialog, setDialog] = useState<'trial' | 'override' | null>(null);
  const quota = useQuery({ queryKey: ['quota', tenant.id], queryFn: () => fetchQuota(tenant.id) });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['quota', tenant.id] });
    void client.invalidateQueries({ queryKey: ['usage-history', tenant.id] });
  };
  const measure = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/tenants/{tenant}/usage/measure', { params: { path: { tenant: tenant.id } } })),
    onSuccess: refresh,
  });
  const writable = can('quotas:write');

  if (quota.error) return <ProblemAlert error={quota.error} />;
  if (!quota.data)
    return (
      <Stack>
        <Skeleton height={90} />
        <Skeleton height={180} />
      </Stack>
    );
  const q = quota.data;
  const sample = q.usage;
  const enforced = q.enforcement.installsBlocked || q.enforcement.suspended;

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h4">
            Usage against the plan {q.plan}
          </Title>
          <Text size="sm" c="dimmed">
            {sample ? `Measured ${formatDate(sample.measuredAt)}` : 'Not measured yet'}
            {q.override ? ' · limits overridden for this tenant' : ''}
            {q.planKnown === false ? ' · this plan is not in the catalog: no limits apply' : ''}
          </Text>
        </div>
        {writable && (
          <Group gap="sm">
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} aria-hidden />}
              loading={measure.isPending}
              onClick={() => measure.mutate()}
            >
              Measure now
            </Button>
            <Button variant="default" onClick={() => setDialog('override')}>
              {q.override ? 'Change override' : 'Override limits'}
            </Button>
            <Button variant="default" onClick={() => setDialog('trial')}>
              {q.trial?.state === 'running' ? 'Extend trial' : 'Start trial'}
            </Button>
          </Group>
        )}
      </Group>
      <ProblemAlert error={measure.error} />
      {sample?.error && (
        <Alert
          color="orange"
          variant="light"
          style={toneStyle('orange', '--alert-color')}
          icon={<IconAlertTriangle size={18} aria-hidden />}
          title="The last measurement failed"
        >
          {sample.error.message} ({sample.error.code}). The figures it could not read are left empty.
        </Alert>
      )}
      {enforced && (
        <Alert
          color="red"
          variant="light"
          style={toneStyle('red', '--alert-color')}
          title={q.enforcement.suspended ? 'Suspended for quota' : 'Module installs refused'}
          role="status"
        >
          A limit was reached{q.enforcement.since ? ` on ${formatDate(q.enforcement.since)}` : ''}.
          {q.enforcement.graceEndsAt && !q.enforcement.suspended
            ? ` The tenant is suspended after ${formatDate(q.enforcement.graceEndsAt)} unless its usage falls back under its limits.`
            : ' It is lifted at the first measurement under the limits.'}
        </Alert>
      )}
      <SimpleGrid
        cols={{ base: 1, sm: 2, lg: 3 }}
        spacing="md"
        aria-label="Usage against limits"
        component="section"
      >
        {metrics.map((m) => (
          <Meter key={m} metric={m} quota={q} />
        ))}
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper p="md">
          <Title order={3} size="h5" mb="sm">
            Trial
          </Title>
          {q.trial ? (
            <SimpleGrid cols={3} component="dl" m={0}>
              <Field label="State">{q.trial.state}</Field>
              <Field label="Started">{formatDate(q.trial.startedAt)}</Field>
              <Field label="Ends">{formatDate(q.trial.endsAt)}</Field>
            </SimpleGrid>
          ) : (
            <Text size="sm" c="dimmed">
              No trial: the tenant is not on one.
            </Text>
          )}
        </Paper>
        <Paper p="md">
          <Title order={3} size="h5" mb="sm">
            Override
          </Title>
          {q.override ? (
            <Table aria-label="Overridden limits" withRowBorders={false} verticalSpacing={2}>
              <Table.Tbody>
                {metrics
                  .filter((m) => m in q.override!.limits)
                  .map((m) => (
                    <Table.Tr key={m}>
                      <Table.Th scope="row" fw={500}>
                        {metricInfo[m].label}
                      </Table.Th>
                      <Table.Td>{formatLimit(m, q.override!.limits[m] ?? null)}</Table.Td>
                    </Table.Tr>
                  ))}
                {q.override.allowedModules !== undefined && (
                  <Table.Tr>
                    <Table.Th scope="row" fw={500}>
                      Modules
                    </Table.Th>
                    <Table.Td>
                      {q.override.allowedModules === null ? 'Any' : q.override.allowedModules.join(', ')}
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              None: the plan's limits apply.
            </Text>
          )}
        </Paper>
      </SimpleGrid>

      <HistoryCharts tenant={tenant} />

      {dialog === 'trial' && (
        <TrialModal
          tenant={tenant}
          trial={q.trial}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
      {dialog === 'override' && (
        <OverrideModal
          tenant={tenant}
          quota={q}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
    </Stack>
  );
}
