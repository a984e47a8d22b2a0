import { Alert, Button, CopyButton, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { TenantMultiPicker } from '../../components/tenant-picker.tsx';
import { type BodyOf, ProblemAlert, useSchemaForm } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { type Role, roleInfo, roles } from '../admin-kit/access-model.ts';
import { formColors } from '../admin-kit/page.tsx';
import { toneStyle } from '../admin-kit/tone.tsx';

/** A value the schema form holds that its scalar type does not name: a list of ids. */
const asList = (ids: string[]) => (ids.length > 0 ? (ids as unknown as string) : undefined);

/**
 * Invites an operator: email, role and, for anyone but an owner, the tenants the account is
 * limited to. The initial password the API makes is shown once, to hand over.
 */
export function InviteOperatorModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const can = useCan();
  const client = useQueryClient();
  const form = useSchemaForm('post', '/api/v1/operators', {
    email: '',
    role: 'viewer',
    tenantIds: undefined,
  });
  const [scope, setScope] = useState<string[]>([]);
  const [made, setMade] = useState<{ email: string; password: string } | null>(null);
  const invite = useMutation({
    mutationFn: (body: BodyOf<'post', '/api/v1/operators'>) =>
      unwrap(api.POST('/api/v1/operators', { body })),
    onSuccess: (r) => {
      setMade({ email: r.operator.email ?? '', password: r.initialPassword });
      void client.invalidateQueries({ queryKey: ['operators'] });
    },
  });
  const role = String(form.values.role) as Role;
  const offered = roles.filter((r) => r !== 'owner' || can('operators:owners'));

  const close = () => {
    form.reset();
    setScope([]);
    setMade(null);
    invite.reset();
    onClose();
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={close}
      title={made ? 'Operator invited' : 'Invite an operator'}
      size="lg"
    >
      {made ? (
        <Stack gap="md">
          <Alert
            color="orange"
            style={toneStyle('orange', '--alert-color')}
            variant="light"
            icon={<IconKey size={18} aria-hidden />}
            title="Shown once"
          >
            Hand this initial password to {made.email} over a safe channel. It is not stored in readable form
            and cannot be shown again; they change it after their first login.
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <TextInput
              label="Initial password"
              value={made.password}
              readOnly
              style={{ flex: 1 }}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={made.password}>
              {({ copied, copy }) => (
                <Button
                  mt={24}
                  variant="light"
                  color={copied ? 'teal' : undefined}
                  leftSection={
                    copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />
                  }
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          style={formColors}
          onSubmit={form.onSubmit((body) => invite.mutateAsync(body))}
          aria-label="Invite an operator"
        >
          <Stack gap="md">
            <ProblemAlert error={form.problem} />
            <TextInput label="Email" type="email" required autoComplete="off" {...form.text('email')} />
            <Select
              label="Role"
              required
              allowDeselect={false}
              data={offered.map((r) => ({ value: r, label: roleInfo[r].label }))}
              value={role}
              onChange={(v) => {
                form.setValue('role', v);
                if (v === 'owner') {
                  setScope([]);
                  form.setValue('tenantIds', undefined);
                }
              }}
              error={form.errors.role}
              description={roleInfo[role]?.summary}
            />
            <TenantMultiPicker
              label="Limit to tenants"
              description={
                role === 'owner'
                  ? 'Owners see every tenant.'
                  : 'Leave empty for every tenant. An account limited to tenants never holds platform-wide permissions.'
              }
              placeholder={scope.length ? undefined : 'Every tenant'}
              value={scope}
              disabled={role === 'owner'}
              clearable
              onChange={(ids) => {
                setScope(ids);
                form.setValue('tenantIds', asList(ids));
              }}
              error={form.errors.tenantIds}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={form.submitting}>
                Invite
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
