import { Button, Group, Menu, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { suspensionReasons } from '@ocp/api-client';
import {
  IconCopy,
  IconDatabaseExport,
  IconDots,
  IconPackage,
  IconPlayerPause,
  IconPlayerPlay,
  IconRefresh,
  IconRestore,
  IconTrash,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useSchemaForm } from '../../forms.ts';
import type { Operation } from '../../operations.ts';
import { useCan } from '../../session.tsx';
import { useTrackedOperations } from '../../tracked-operations.tsx';

type Tenant = Schemas['Tenant'];
type Action = 'suspend' | 'resume' | 'delete' | 'duplicate' | 'install' | null;

/** What the tenant's state allows, whatever the account may do. */
export const allowedByState = (t: Tenant) => ({
  suspend: t.state === 'active' || t.state === 'suspended',
  resume: t.state === 'suspended' && t.suspensionReasons.length > 0,
  delete: ['active', 'suspended', 'failed'].includes(t.state),
  undelete: t.state === 'deleting' && Boolean(t.purgeAfter),
  retry: t.state === 'failed',
  backup: t.state === 'active' || t.state === 'suspended',
  restore: t.state === 'active' || t.state === 'suspended',
  duplicate: t.state === 'active' || t.state === 'suspended',
  modules: t.state === 'active',
});

/** After an action the API accepted: the tenant as it is now, its operation followed on screen. */
function useAccepted(tenant: Tenant) {
  const qc = useQueryClient();
  const { track } = useTrackedOperations();
  return (result: { tenant?: Tenant; operation?: Operation }) => {
    if (result.tenant && result.tenant.id === tenant.id)
      qc.setQueryData(['tenant', tenant.id], result.tenant);
    if (result.operation) track(result.operation);
    void qc.invalidateQueries({ queryKey: ['tenants'] });
    void qc.invalidateQueries({ queryKey: ['audit', tenant.id] });
  };
}

const path = (tenant: Tenant) => ({ params: { path: { tenant: tenant.id } } });

function SuspendModal({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const form = useSchemaForm('post', '/api/v1/tenants/{tenant}/suspend', { reason: 'manual' });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (body) => {
        accepted(await unwrap(api.POST('/api/v1/tenants/{tenant}/suspend', { ...path(tenant), body })));
        onClose();
      })}
    >
      <Stack>
        <Text size="sm">
          Suspending shuts <b>{tenant.slug}</b>'s database to new connections and shows its users a suspended
          page. It stays suspended while any reason stands.
        </Text>
        <ProblemAlert error={form.problem} />
        <Select
          label="Reason"
          data={[...suspensionReasons]}
          allowDeselect={false}
          value={String(form.values.reason)}
          onChange={(v) => form.setValue('reason', v ?? 'manual')}
          error={form.errors.reason}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color="orange.8" loading={form.submitting}>
            Suspend
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ResumeModal({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const form = useSchemaForm('post', '/api/v1/tenants/{tenant}/resume', {
    reason: tenant.suspensionReasons.includes('manual')
      ? 'manual'
      : (tenant.suspensionReasons[0] ?? 'manual'),
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (body) => {
        accepted(await unwrap(api.POST('/api/v1/tenants/{tenant}/resume', { ...path(tenant), body })));
        onClose();
      })}
    >
      <Stack>
        <Text size="sm">
          Clears one suspension reason. The tenant opens again only once no reason stands
          {tenant.suspensionReasons.length > 1 ? ` (now: ${tenant.suspensionReasons.join(', ')})` : ''}.
        </Text>
        <ProblemAlert error={form.problem} />
        <Select
          label="Reason to clear"
          data={tenant.suspensionReasons}
          allowDeselect={false}
          value={String(form.values.reason)}
          onChange={(v) => form.setValue('reason', v ?? 'manual')}
          error={form.errors.reason}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            Resume
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteModal({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (typed !== tenant.slug) return;
        setBusy(true);
        unwrap(api.DELETE('/api/v1/tenants/{tenant}', path(tenant)))
          .then((r) => {
            accepted(r);
            onClose();
          })
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <Stack>
        <Text size="sm">
          The tenant's database and files are removed for good after the grace period (a final backup is taken
          first where the platform is set to). Type <b>{tenant.slug}</b> to confirm.
        </Text>
        <ProblemAlert error={error} />
        <TextInput
          label="Slug of the tenant to delete"
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          autoComplete="off"
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color="red.8" disabled={typed !== tenant.slug} loading={busy}>
            Delete tenant
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DuplicateModal({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const form = useSchemaForm('post', '/api/v1/tenants/{tenant}/duplicate', {
    slug: `${tenant.slug.slice(0, 24)}-staging`,
    displayName: `${tenant.displayName} (staging)`,
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async (body) => {
        accepted(await unwrap(api.POST('/api/v1/tenants/{tenant}/duplicate', { ...path(tenant), body })));
        onClose();
      })}
    >
      <Stack>
        <Text size="sm">
          A staging copy: a new tenant with a copy of this one's database and files, neutralised (no mail, no
          scheduled actions).
        </Text>
        <ProblemAlert error={form.problem} />
        <TextInput label="Slug of the copy" required {...form.text('slug')} data-autofocus />
        <TextInput label="Name of the copy" {...form.text('displayName')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.submitting}>
            Duplicate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Installs a module by its technical name (the Modules tab lists what there is). */
export function InstallModuleModal({ tenant, onClose }: { tenant: Tenant; onClose(): void }) {
  const accepted = useAccepted(tenant);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const valid = /^[a-z0-9_]{1,128}$/.test(name);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        setBusy(true);
        unwrap(
          api.POST('/api/v1/tenants/{tenant}/modules/{module}/install', {
            params: { path: { tenant: tenant.id, module: name } },
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
      <Stack>
        <ProblemAlert error={error} />
        <TextInput
          label="Module"
          description="Its technical name, e.g. sale_management"
          value={name}
          onChange={(e) => setName(e.currentTarget.value.trim())}
          error={name && !valid ? 'Lowercase letters, digits and underscores.' : undefined}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={!valid} loading={busy}>
            Install
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const titles: Record<Exclude<Action, null>, string> = {
  suspend: 'Suspend tenant',
  resume: 'Resume tenant',
  delete: 'Delete tenant',
  duplicate: 'Duplicate tenant',
  install: 'Install a module',
};

/** The tenant's actions: each offered only when the account may and the state allows it. */
export function TenantActions({
  tenant,
  onBackup,
  onRestore,
}: {
  tenant: Tenant;
  onBackup(): void;
  onRestore(): void;
}) {
  const can = useCan();
  const accepted = useAccepted(tenant);
  const [action, setAction] = useState<Action>(null);
  const state = allowedByState(tenant);
  const close = () => setAction(null);
  const simple = (run: () => Promise<{ tenant?: Tenant; operation?: Operation }>) => () => {
    run()
      .then(accepted)
      .catch((e: unknown) =>
        notifications.show({
          color: 'red',
          title: 'Refused',
          message: e instanceof Error ? e.message : String(e),
        }),
      );
  };
  const items = [
    can('tenants:suspend') && state.suspend && (
      <Menu.Item
        key="suspend"
        leftSection={<IconPlayerPause size={16} aria-hidden />}
        onClick={() => setAction('suspend')}
      >
        Suspend…
      </Menu.Item>
    ),
    can('tenants:resume') && state.resume && (
      <Menu.Item
        key="resume"
        leftSection={<IconPlayerPlay size={16} aria-hidden />}
        onClick={() => setAction('resume')}
      >
        Resume…
      </Menu.Item>
    ),
    can('tenants:retry') && state.retry && (
      <Menu.Item
        key="retry"
        leftSection={<IconRefresh size={16} aria-hidden />}
        onClick={simple(() => unwrap(api.POST('/api/v1/tenants/{tenant}/retry', path(tenant))))}
      >
        Retry provisioning
      </Menu.Item>
    ),
    can('backups:write') && state.backup && (
      <Menu.Item key="backup" leftSection={<IconDatabaseExport size={16} aria-hidden />} onClick={onBackup}>
        Back up now
      </Menu.Item>
    ),
    can('backups:restore') && state.restore && (
      <Menu.Item key="restore" leftSection={<IconRestore size={16} aria-hidden />} onClick={onRestore}>
        Restore a backup…
      </Menu.Item>
    ),
    can('tenants:duplicate') && state.duplicate && (
      <Menu.Item
        key="duplicate"
        leftSection={<IconCopy size={16} aria-hidden />}
        onClick={() => setAction('duplicate')}
      >
        Duplicate (staging copy)…
      </Menu.Item>
    ),
    can('modules:write') && state.modules && (
      <Menu.Item
        key="install"
        leftSection={<IconPackage size={16} aria-hidden />}
        onClick={() => setAction('install')}
      >
        Install a module…
      </Menu.Item>
    ),
    can('tenants:delete') && state.undelete && (
      <Menu.Item
        key="undelete"
        leftSection={<IconRestore size={16} aria-hidden />}
        onClick={simple(async () => ({
          tenant: await unwrap(api.POST('/api/v1/tenants/{tenant}/undelete', path(tenant))),
        }))}
      >
        Undo the deletion
      </Menu.Item>
    ),
    can('tenants:delete') && state.delete && (
      <Menu.Item
        key="delete"
        color="red.8"
        leftSection={<IconTrash size={16} aria-hidden />}
        onClick={() => setAction('delete')}
      >
        Delete…
      </Menu.Item>
    ),
  ].filter(Boolean);

  return (
    <>
      <Menu position="bottom-end" withArrow>
        <Menu.Target>
          <Button
            variant="default"
            rightSection={<IconDots size={16} aria-hidden />}
            disabled={items.length === 0}
          >
            Actions
          </Button>
        </Menu.Target>
        <Menu.Dropdown>{items}</Menu.Dropdown>
      </Menu>
      <Modal opened={action !== null} onClose={close} title={action ? titles[action] : ''}>
        {action === 'suspend' && <SuspendModal tenant={tenant} onClose={close} />}
        {action === 'resume' && <ResumeModal tenant={tenant} onClose={close} />}
        {action === 'delete' && <DeleteModal tenant={tenant} onClose={close} />}
        {action === 'duplicate' && <DuplicateModal tenant={tenant} onClose={close} />}
        {action === 'install' && <InstallModuleModal tenant={tenant} onClose={close} />}
      </Modal>
    </>
  );
}

export { useAccepted };
