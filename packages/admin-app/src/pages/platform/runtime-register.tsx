import { Button, Group, Modal, PasswordInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { type BodyOf, ProblemAlert, useSchemaForm } from '../../forms.ts';
import { formColors } from '../admin-kit/page.tsx';

/**
 * Registers an Odoo runtime. The tenant service asks the runtime for its version and checks the
 * master password before accepting it, so this can take a while and its refusals are the runtime's.
 */
export function RegisterRuntimeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const form = useSchemaForm('post', '/api/v1/runtimes', {
    name: '',
    odooVersion: '',
    rpcUrl: '',
    masterPassword: '',
    dbRole: '',
    filestorePath: '',
    maxTenants: '',
  });
  const register = useMutation({
    mutationFn: (body: BodyOf<'post', '/api/v1/runtimes'>) => unwrap(api.POST('/api/v1/runtimes', { body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['runtimes'] });
      close();
    },
  });
  function close() {
    form.reset();
    register.reset();
    onClose();
  }
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={close}
      title="Register an Odoo runtime"
      size="xl"
    >
      <form
        noValidate
        style={formColors}
        aria-label="Register an Odoo runtime"
        onSubmit={form.onSubmit((body) => register.mutateAsync(body))}
      >
        <Stack gap="md">
          <ProblemAlert error={form.problem} />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput label="Name" required description="For example odoo-17-a" {...form.text('name')} />
            <TextInput
              label="Odoo version"
              required
              description="For example 17.0"
              {...form.text('odooVersion')}
            />
            <TextInput
              label="RPC URL"
              required
              description="For example http://odoo:8069"
              {...form.text('rpcUrl')}
            />
            <PasswordInput
              label="Master password"
              required
              description="Odoo’s admin_passwd: checked against the runtime now, sealed at rest, never shown again."
              autoComplete="off"
              {...form.text('masterPassword')}
            />
            <TextInput
              label="Database role"
              required
              description="For example odoo"
              {...form.text('dbRole')}
            />
            <TextInput
              label="Filestore path"
              required
              description="For example /var/lib/odoo/filestore"
              {...form.text('filestorePath')}
            />
            <TextInput
              label="Tenants at most"
              inputMode="numeric"
              placeholder="1000"
              description="Leave empty for the default (1000)."
              {...form.text('maxTenants')}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Register runtime
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
