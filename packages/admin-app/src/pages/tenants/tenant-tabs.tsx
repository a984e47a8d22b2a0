import { AreaChart } from '@mantine/charts';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { formatBytes, formatDate } from '../../format.ts';
import { useSchemaForm } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { allowedByState, useAccepted } from './tenant-actions.tsx';

type Tenant = Schemas['Tenant'];
type Backup = Schemas['Backup'];

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ wordBreak: 'break-all' }}>
        {children ?? '—'}
      </Text>
    </div>
  );
}

export function OverviewTab({ tenant }: { tenant: Tenant }) {
  return (
    <Stack>
      {tenant.lastError && (
        <Alert color="red" variant="light" title="Last error">
          {tenant.lastError}
        </Alert>
      )}
      <Paper p="lg">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" spacing="lg" m={0}>
          <Field label="Plan">{tenant.plan}</Field>
          <Field label="Runtime">{tenant.runtimeId ?? 'None (built-in template)'}</Field>
          <Field label="Database">{tenant.databaseName}</Field>
          <Field label="Database server">{tenant.databaseServerId}</Field>
          <Field label="Base URL">
            {tenant.baseUrl ? (
              <Anchor href={tenant.baseUrl} target="_blank" rel="noreferrer">
                {tenant.baseUrl}
              </Anchor>
            ) : null}
          </Field>
          <Field label="Company">{tenant.companyName}</Field>
          <Field label="Administrator login">{tenant.adminLogin}</Field>
          <Field label="Created">{formatDate(tenant.createdAt)}</Field>
          <Field label="Updated">{formatDate(tenant.updatedAt)}</Field>
          {tenant.sourceTenantId && <Field label="Staging copy of">{tenant.sourceTenantId}</Field>}
          {tenant.purgeAfter && <Field label="Removed for good after">{formatDate(tenant.purgeAfter)}</Field>}
          <Field label="Id">{tenant.id}</Field>
        </SimpleGrid>
      </Paper>
    </Stack>
  );
}

export function ModulesTab({ tenant }: { tenant: Tenant }) {
  const can = useCan();
  const accepted = useAccepted(tenant);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [actionError, setActionError] = useState<unknown>();
  const modules = useQuery({
    queryKey: ['modules', tenant.id, debounced],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/tenants/{tenant}/modules', {
          params: {
            path: { tenant: tenant.id },
            query: { limit: 200, ...(debounced ? { search: debounced } : {}) },
          },
        }),
      ),
    enabled: tenant.state === 'active' || tenant.state === 'suspended',
  });
  const act = (verb: 'install' | 'upgrade' | 'uninstall', module: string) => {
    setActionError(undefined);
    unwrap(
      api.POST(`/api/v1/tenants/{tenant}/modules/{module}/${verb}`, {
        params: { path: { tenant: tenant.id, module } },
      }),
    )
      .then(accepted)
      .catch(setActionError);
  };
  const writable = can('modules:write') && allowedByState(tenant).modules;
  if (tenant.state !== 'active' && tenant.state !== 'suspended')
    return <Text c="dimmed">Modules can be read once the tenant is active.</Text>;
  return (
    <Stack>
      <TextInput
        label="Search modules"
        placeholder="sale, account, website…"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={320}
      />
      <ProblemAlert error={actionError} />
      <ProblemAlert error={modules.error} />
      {modules.isPending && <Skeleton height={120} />}
      {modules.data && (
        <Paper p={0}>
          <Table aria-label="Modules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Module</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Version</Table.Th>
                {writable && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {modules.data.items.map((m) => (
                <Table.Tr key={m.name}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {m.shortdesc ?? m.name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {m.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={m.state} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.installedVersion ?? m.latestVersion ?? '—'}</Text>
                  </Table.Td>
                  {writable && (
                    <Table.Td>
                      <Group gap={4}>
                        {m.state === 'uninstalled' && (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => act('install', m.name)}
                            aria-label={`Install ${m.name}`}
                          >
                            Install
                          </Button>
                        )}
                        {m.state === 'installed' && (
                          <>
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => act('upgrade', m.name)}
                              aria-label={`Upgrade ${m.name}`}
                            >
                              Upgrade
                            </Button>
                            <Button
                              size="xs"
                              variant="default"
                              c="var(--mantine-color-error)"
                              onClick={() => act('uninstall', m.name)}
                              aria-label={`Uninstall ${m.name}`}
                            >
                              Uninstall
                            </Button>
                          </>
                        )}
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {modules.data.items.length === 0 && (
            <Text p="lg" c="dimmed" ta="center">
              No module matches.
            </Text>
          )}
        </Paper>
      )}
    </Stack>
  );
}

function RestoreModal({ backup, tenant, onClose }: { backup: Backup; tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <Stack>
      <Text size="sm">
        Replace <b>{tenant.slug}</b>'s database and files with the backup of {formatDate(backup.createdAt)}?
        What they hold now is backed up first (a pre-restore backup), so this can be undone.
      </Text>
      <ProblemAlert error={error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color="orange.8"
          loading={busy}
          onClick={() => {
            setBusy(true);
            unwrap(
              api.POST('/api/v1/backups/{backup}/restore', {
                params: { path: { backup: backup.id } },
                body: { tenantId: tenant.id },
              }),
            )
              .then((r) => {
                accepted(r);
                onClose();
              })
              .catch(setError)
              .finally(() => setBusy(false));
          }}
        >
          Restore
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * A staging copy made from a backup: a new tenant on the backup's runtime, while this tenant
 * stays as it is. Its operation is followed on this page like the others; its result names the
 * new tenant.
 */
function RestoreAsNewModal({ backup, tenant, onClose }: { backup: Backup; tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const form = useSchemaForm('post', '/api/v1/backups/{backup}/restore', {
    'newTenant.slug': `${tenant.slug.slice(0, 23)}-restored`,
    'newTenant.displayName': `${tenant.displayName.slice(0, 170)} (restored copy)`,
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (body) => {
        accepted(
          await unwrap(
            api.POST('/api/v1/backups/{backup}/restore', { params: { path: { backup: backup.id } }, body }),
          ),
        );
        onClose();
      })}
    >
      <Stack>
        <Text size="sm">
          A new tenant made from the backup of {formatDate(backup.createdAt)}, on the same runtime as{' '}
          <b>{tenant.slug}</b>, which stays as it is. Use it to look into old data or to try a change first.
        </Text>
        <ProblemAlert error={form.problem} />
        <TextInput label="Slug of the new tenant" required {...form.text('newTenant.slug')} data-autofocus />
        <TextInput label="Name of the new tenant" {...form.text('newTenant.displayName')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            Restore as new tenant
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function BackupsTab({
  tenant,
  onBackup,
  backingUp,
}: {
  tenant: Tenant;
  onBackup(): void;
  backingUp: boolean;
}) {
  const can = useCan();
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [copying, setCopying] = useState<Backup | null>(null);
  const backups = useQuery({
    queryKey: ['backups', tenant.id],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/tenants/{tenant}/backups', {
          params: { path: { tenant: tenant.id }, query: { limit: 100 } },
        }),
      ),
  });
  const items = backups.data?.items ?? [];
  const sizes = items
    .filter((b) => b.state === 'succeeded' && b.storedBytes !== null)
    .map((b) => ({
      date: formatDate(b.createdAt),
      MB: Math.round(((b.storedBytes ?? 0) / 1048576) * 100) / 100,
      at: b.createdAt,
    }))
    .sort((a, b) => a.at.localeCompare(b.at));
  const state = allowedByState(tenant);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          Backups
        </Title>
        {can('backups:write') && state.backup && (
          <Button onClick={onBackup} loading={backingUp}>
            Back up now
          </Button>
        )}
      </Group>
      <ProblemAlert error={backups.error} />
      {sizes.length > 1 && (
        <Paper p="md">
          <Text size="sm" fw={600} mb="xs" id="backup-sizes">
            Stored size over time (MB)
          </Text>
          <div role="img" aria-labelledby="backup-sizes">
            <AreaChart
              h={180}
              data={sizes}
              dataKey="date"
              series={[{ name: 'MB', color: 'odoo.6' }]}
              curveType="monotone"
            />
          </div>
        </Paper>
      )}
      {backups.isPending && <Skeleton height={120} />}
      {backups.isSuccess && items.length === 0 && <Text c="dimmed">No backups yet.</Text>}
      {items.length > 0 && (
        <Paper p={0}>
          <Table aria-label="Backups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Taken</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Stored</Table.Th>
                <Table.Th>Database / files</Table.Th>
                <Table.Th>Kept until</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>
                    <Text size="sm">{formatDate(b.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{b.kind}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={b.state} size="sm" />
                    {b.error && (
                      <Text size="xs" c="var(--mantine-color-error)">
                        {b.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatBytes(b.storedBytes)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {formatBytes(b.database.bytes)} / {formatBytes(b.filestore.bytes)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(b.keptUntil)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {b.state === 'succeeded' && (
                      <Group gap={4}>
                        {can('backups:download') && (
                          <Button
                            component="a"
                            href={`/api/v1/backups/${b.id}/download`}
                            size="xs"
                            variant="default"
                            leftSection={<IconDownload size={14} aria-hidden />}
                            aria-label={`Download the backup of ${formatDate(b.createdAt)}`}
                          >
                            Download
                          </Button>
                        )}
                        {can('backups:restore') && state.restore && (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => setRestoring(b)}
                            aria-label={`Restore the backup of ${formatDate(b.createdAt)}`}
                          >
                            Restore…
                          </Button>
                        )}
                        {can('backups:restore') && can('tenants:duplicate') && (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => setCopying(b)}
                            aria-label={`Restore the backup of ${formatDate(b.createdAt)} as a new tenant`}
                          >
                            As a new tenant…
                          </Button>
                        )}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <Modal opened={restoring !== null} onClose={() => setRestoring(null)} title="Restore backup">
        {restoring && <RestoreModal backup={restoring} tenant={tenant} onClose={() => setRestoring(null)} />}
      </Modal>
      <Modal opened={copying !== null} onClose={() => setCopying(null)} title="Restore as a new tenant">
        {copying && <RestoreAsNewModal backup={copying} tenant={tenant} onClose={() => setCopying(null)} />}
      </Modal>
    </Stack>
  );
}

export function SubscriptionTab({ tenant }: { tenant: Tenant }) {
  const subs = useQuery({
    queryKey: ['subscriptions', tenant.id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/tenants/{tenant}/subscriptions', { params: { path: { tenant: tenant.id } } })),
  });
  if (subs.isPending) return <Loader role="status" aria-label="Loading subscriptions" />;
  if (subs.error) return <ProblemAlert error={subs.error} />;
  if (subs.data.items.length === 0)
    return <Text c="dimmed">No billing subscription is linked to this tenant (Stripe or Paddle).</Text>;
  return (
    <Stack>
      {subs.data.items.map((s) => (
        <Paper p="lg" key={s.id}>
          <Group mb="md" gap="sm">
            <Title order={2} size="h4">
              {s.provider === 'stripe' ? 'Stripe' : 'Paddle'} subscription
            </Title>
            <StateBadge state={s.status} />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 3 }} component="dl" m={0}>
            <Field label="Plan">{s.plan}</Field>
            <Field label="Current period ends">{formatDate(s.currentPeriodEnd)}</Field>
            <Field label="Cancels at period end">{s.cancelAtPeriodEnd ? 'Yes' : 'No'}</Field>
            <Field label="Customer">{s.customerId}</Field>
            <Field label="Subscription">{s.providerSubscriptionId}</Field>
            <Field label="Last event">
              {s.lastEventType} · {formatDate(s.lastEventAt)}
            </Field>
          </SimpleGrid>
        </Paper>
      ))}
    </Stack>
  );
}

export function AuditTab({ tenant }: { tenant: Tenant }) {
  const audit = useQuery({
    queryKey: ['audit', tenant.id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/audit', { params: { query: { tenantId: tenant.id, limit: 100 } } })),
  });
  if (audit.error) return <ProblemAlert error={audit.error} />;
  return (
    <Paper p={0}>
      <Table aria-label="Audit trail">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(audit.data?.items ?? []).map((e) => (
            <Table.Tr key={e.seq}>
              <Table.Td>
                <Text size="sm">{formatDate(e.time)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {e.action}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{e.actor}</Text>
              </Table.Td>
              <Table.Td>
                <StateBadge state={e.outcome} size="sm" />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {audit.isPending && <Skeleton height={80} m="md" />}
      {audit.isSuccess && audit.data.items.length === 0 && (
        <Text p="lg" c="dimmed" ta="center">
          Nothing recorded for this tenant yet.
        </Text>
      )}
    </Paper>
  );
}
