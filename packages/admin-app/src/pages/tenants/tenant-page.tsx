import {
  Alert,
  Anchor,
  Breadcrumbs,
  CloseButton,
  Code,
  Group,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api.ts';
import { OperationProgress } from '../../components/operation-progress.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { useTitle } from '../../components/use-title.ts';
import { useLiveState } from '../../live-events.tsx';
import { useCan } from '../../session.tsx';
import { useTrackedOperations } from '../../tracked-operations.tsx';
import { DomainsTab } from './domains-tab.tsx';
import { TenantActions, useAccepted } from './tenant-actions.tsx';
import { AuditTab, BackupsTab, ModulesTab, OverviewTab, SubscriptionTab } from './tenant-tabs.tsx';
import { UsageTab } from './usage-tab.tsx';

const transient = new Set(['pending', 'provisioning', 'restoring', 'migrating', 'deleting']);

export function TenantPage() {
  const { id = '' } = useParams();
  const can = useCan();
  const live = useLiveState();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  const setTab = (t: string | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (t && t !== 'overview') next.set('tab', t);
        else next.delete('tab');
        return next;
      },
      { replace: true },
    );
  const tenant = useQuery({
    queryKey: ['tenant', id],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenant}', { params: { path: { tenant: id } } })),
    // Without the event stream, a tenant in motion is refetched until it settles.
    refetchInterval: (q) =>
      q.state.data && transient.has(q.state.data.state) && live !== 'live' ? 2_000 : false,
  });
  const t = tenant.data;
  useTitle(t ? t.displayName : 'Tenant');
  const { operations, dismiss } = useTrackedOperations();
  const mine = operations.filter((o) => o.tenantId === id);
  const [password, setPassword] = useState<string | undefined>(
    (location.state as { adminPassword?: string } | null)?.adminPassword,
  );
  const [backingUp, setBackingUp] = useState(false);
  const [backupError, setBackupError] = useState<unknown>();
  const accepted = useAccepted(t ?? ({ id } as never));

  if (tenant.error) return <ProblemAlert error={tenant.error} />;
  if (!t)
    return (
      <Stack>
        <Skeleton height={36} width={320} />
        <Skeleton height={200} />
      </Stack>
    );

  const backup = () => {
    setBackingUp(true);
    setBackupError(undefined);
    unwrap(api.POST('/api/v1/tenants/{tenant}/backups', { params: { path: { tenant: t.id } } }))
      .then(accepted)
      .catch(setBackupError)
      .finally(() => setBackingUp(false));
  };

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/tenants" size="sm">
          Tenants
        </Anchor>
        <Text size="sm">{t.slug}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1}>{t.displayName}</Title>
            <span data-testid="tenant-state">
              <StateBadge state={t.state} size="lg" />
            </span>
          </Group>
          <Group gap="xs">
            <Text c="dimmed" ff="monospace" size="sm">
              {t.slug}
            </Text>
            {t.suspensionReasons.length > 0 && (
              <Text size="sm" c="#8a4b00" fw={600} data-testid="suspension-reasons">
                Suspended for: {t.suspensionReasons.join(', ')}
              </Text>
            )}
          </Group>
        </Stack>
        <TenantActions tenant={t} onBackup={backup} onRestore={() => setTab('backups')} />
      </Group>

      {password && (
        <Alert
          color="blue"
          variant="light"
          title="The Odoo administrator's password"
          withCloseButton
          closeButtonLabel="Hide the password"
          onClose={() => setPassword(undefined)}
        >
          Generated for you and shown only this once: <Code>{password}</Code>
        </Alert>
      )}
      <ProblemAlert error={backupError} />
      {mine.length > 0 && (
        <Stack gap="xs" aria-label="Operations in progress" component="section">
          {mine.map((op) => (
            <Group key={op.id} align="flex-start" wrap="nowrap" gap="xs">
              <div style={{ flex: 1 }}>
                <OperationProgress operation={op} />
              </div>
              <CloseButton aria-label="Dismiss" onClick={() => dismiss(op.id)} />
            </Group>
          ))}
        </Stack>
      )}

      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="domains">Domains</Tabs.Tab>
          {can('modules:read') && <Tabs.Tab value="modules">Modules</Tabs.Tab>}
          {can('backups:read') && <Tabs.Tab value="backups">Backups</Tabs.Tab>}
          {can('billing:read') && <Tabs.Tab value="subscription">Subscription</Tabs.Tab>}
          {can('audit:read') && <Tabs.Tab value="audit">Audit trail</Tabs.Tab>}
          {can('quotas:read') && <Tabs.Tab value="usage">Usage</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <OverviewTab tenant={t} />
        </Tabs.Panel>
        <Tabs.Panel value="domains" pt="md">
          <DomainsTab tenant={t} />
        </Tabs.Panel>
        <Tabs.Panel value="modules" pt="md">
          <ModulesTab tenant={t} />
        </Tabs.Panel>
        <Tabs.Panel value="backups" pt="md">
          <BackupsTab tenant={t} onBackup={backup} backingUp={backingUp} />
        </Tabs.Panel>
        <Tabs.Panel value="subscription" pt="md">
          <SubscriptionTab tenant={t} />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          <AuditTab tenant={t} />
        </Tabs.Panel>
        <Tabs.Panel value="usage" pt="md">
          <UsageTab tenant={t} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
