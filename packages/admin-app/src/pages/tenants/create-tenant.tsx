import {
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { useSchemaForm } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { useTrackedOperations } from '../../tracked-operations.tsx';

const empty = {
  slug: '',
  displayName: '',
  plan: '',
  companyName: '',
  adminLogin: '',
  adminPassword: '',
  runtimeId: '',
};

/** The form that creates a tenant; on success, the tenant's page follows its provisioning. */
export function CreateTenantModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const can = useCan();
  const navigate = useNavigate();
  const { track } = useTrackedOperations();
  const form = useSchemaForm('post', '/api/v1/tenants', empty);
  const runtimes = useQuery({
    queryKey: ['runtimes'],
    queryFn: () => unwrap(api.GET('/api/v1/runtimes', { params: { query: { limit: 200 } } })),
    enabled: opened && can('runtimes:read'),
    staleTime: 60_000,
  });
  const close = () => {
    form.reset(empty);
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Create tenant" size="lg">
      <form
        noValidate
        aria-label="Create tenant"
        onSubmit={form.onSubmit(async (body) => {
          const created = await unwrap(
            api.POST('/api/v1/tenants', { body, headers: { 'idempotency-key': crypto.randomUUID() } }),
          );
          track(created.operation);
          close();
          await navigate(`/tenants/${created.tenant.id}`, {
            state: created.adminPassword ? { adminPassword: created.adminPassword } : undefined,
          });
        })}
      >
        <Stack>
          <ProblemAlert error={form.problem} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Name"
              description="Shown to operators"
              required
              data-autofocus
              {...form.text('displayName')}
            />
            <TextInput
              label="Slug"
              description="Names the database; lowercase, 3–32 characters"
              required
              {...form.text('slug')}
            />
            <TextInput label="Plan" description="Leave empty for the default plan" {...form.text('plan')} />
            <TextInput label="Company name" description="The Odoo company" {...form.text('companyName')} />
            <TextInput
              label="Administrator login"
              description="Odoo's admin user"
              {...form.text('adminLogin')}
            />
            <PasswordInput
              label="Administrator password"
              description="Leave empty to have one generated"
              autoComplete="new-password"
              {...form.text('adminPassword')}
            />
          </SimpleGrid>
          {can('runtimes:read') && (runtimes.data?.items.length ?? 0) > 0 && (
            <Select
              label="Runtime"
              description="Leave empty to let placement choose"
              clearable
              data={(runtimes.data?.items ?? []).map((r) => ({
                value: r.id,
                label: `${r.name} (Odoo ${r.odooVersion})`,
              }))}
              value={String(form.values.runtimeId ?? '') || null}
              onChange={(v) => form.setValue('runtimeId', v ?? '')}
              error={form.errors.runtimeId}
            />
          )}
          <Text size="xs" c="dimmed">
            Provisioning runs in the background; its progress shows on the tenant's page.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Create tenant
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
