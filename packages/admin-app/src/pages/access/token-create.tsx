import {
  Alert,
  Anchor,
  Button,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { type BodyOf, ProblemAlert, useSchemaForm } from '../../forms.ts';
import { useCan, useMe } from '../../session.tsx';
import { groupPermissions, type Permission, permissionInfo } from '../admin-kit/access-model.ts';
import { formColors } from '../admin-kit/page.tsx';
import { toneStyle } from '../admin-kit/tone.tsx';

const expiries = [7, 30, 90, 180, 365].map((d) => ({ value: String(d), label: `${d} days` }));

/**
 * Makes an API token: its scopes are picked among the caller's own permissions (the API refuses
 * any other), and its secret is shown once, to copy.
 */
export function CreateTokenModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const can = useCan();
  const held = (useMe().data?.permissions ?? []) as Permission[];
  const client = useQueryClient();
  const form = useSchemaForm('post', '/api/v1/tokens', { name: '', expiresInDays: '30', serviceAccount: '' });
  const [scopes, setScopes] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation({
    mutationFn: (body: BodyOf<'post', '/api/v1/tokens'>) => unwrap(api.POST('/api/v1/tokens', { body })),
    onSuccess: (r) => {
      setSecret({ name: r.apiToken.name, token: r.token });
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });

  const close = () => {
    form.reset();
    setScopes([]);
    setSecret(null);
    create.reset();
    onClose();
  };
  const pick = (list: string[]) => {
    setScopes(list);
    form.setValue('scopes', list.length > 0 ? (list as unknown as string) : undefined);
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={close}
      title={secret ? 'Copy your new API token' : 'New API token'}
      size="lg"
      closeOnClickOutside={!secret}
    >
      {secret ? (
        <Stack gap="md">
          <Alert
            color="orange"
            style={toneStyle('orange', '--alert-color')}
            variant="light"
            icon={<IconAlertTriangle size={18} aria-hidden />}
            title="Shown only now"
          >
            Copy the token “{secret.name}” and store it in a secret manager. It is kept only as a hash: once
            this window closes, nobody can show it again; revoke it and make another if it is lost.
          </Alert>
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <TextInput
              label="API token"
              value={secret.token}
              readOnly
              style={{ flex: 1 }}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={secret.token}>
              {({ copied, copy }) => (
                <Button
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
          <Text size="sm" c="dimmed">
            Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
          </Text>
          <Group justify="flex-end">
            <Button onClick={close}>I have copied it</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          style={formColors}
          aria-label="New API token"
          onSubmit={form.onSubmit((body) => create.mutateAsync(body))}
        >
          <Stack gap="md">
            <ProblemAlert error={form.problem} />
            <TextInput
              label="Name"
              required
              description="What uses it, e.g. “backup monitor” or “CI deploys”."
              {...form.text('name')}
            />
            <MultiSelect
              label="Scopes"
              required
              description={
                <>
                  Only permissions you hold.{' '}
                  <Anchor component="button" type="button" size="xs" onClick={() => pick([...held])}>
                    Pick all {held.length}
                  </Anchor>
                </>
              }
              placeholder={scopes.length ? undefined : 'Pick what the token may do'}
              data={groupPermissions(held).map(([group, perms]) => ({
                group,
                items: perms.map((p) => ({ value: p, label: `${p} — ${permissionInfo[p] ?? ''}` })),
              }))}
              value={scopes}
              onChange={pick}
              searchable
              clearable
              maxDropdownHeight={320}
              error={form.errors.scopes}
            />
            <Select
              label="Expires after"
              allowDeselect={false}
              data={expiries}
              value={String(form.values.expiresInDays ?? '30')}
              onChange={(v) => form.setValue('expiresInDays', v ?? '30')}
              error={form.errors.expiresInDays}
            />
            {can('operators:write') ? (
              <TextInput
                label="For a service account"
                description="Optional. A name like “backup-monitor”: the token acts for that account (made on first use, never an owner) instead of you."
                {...form.text('serviceAccount')}
              />
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={form.submitting}>
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
