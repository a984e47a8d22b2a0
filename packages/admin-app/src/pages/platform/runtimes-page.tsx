import {
  ActionIcon,
  Button,
  Menu,
  Progress,
  Skeleton,
  Switch,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconBan, IconDots, IconPlus, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { ConfirmModal } from '../admin-kit/confirm.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { formatTime } from '../admin-kit/format.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { ToneBadge } from '../admin-kit/tone.tsx';
import { RegisterRuntimeModal } from './runtime-register.tsx';

const fetchRuntimes = (includeDisabled: boolean, cursor?: string) =>
  unwrap(
    api.GET('/api/v1/runtimes', {
      params: { query: { limit: 50, includeDisabled, ...(cursor ? { cursor } : {}) } },
    }),
  );
type Runtime = Awaited<ReturnType<typeof fetchRuntimes>>['items'][number];

const stateColor: Record<Runtime['state'], string> = {
  preparing: 'blue.9',
  ready: 'green.9',
  failed: 'red.9',
  disabled: 'gray.8',
};
const stateWords: Record<Runtime['state'], string> = {
  preparing: 'Its template database is being made',
  ready: 'Takes new tenants',
  failed: 'Its template could not be made',
  disabled: 'Takes no new tenants; serves its own',
};

/** The Odoo runtimes that serve tenants: their version, state, template and load. */
export default function RuntimesPage() {
  const can = useCan();
  const client = useQueryClient();
  const [includeDisabled, setIncludeDisabled] = useState(false);
  const pages = useCursorPages(String(includeDisabled));
  const [registering, setRegistering] = useState(false);
  const [pending, setPending] = useState<{ kind: 'disable' | 'template'; runtime: Runtime } | null>(null);
  const list = useQuery({
    queryKey: ['runtimes', includeDisabled, pages.cursor],
    queryFn: () => fetchRuntimes(includeDisabled, pages.cursor),
    // A template being made changes state on its own: look again while one is.
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => r.state === 'preparing' || r.templateStep) ? 3000 : false,
  });
  const act = useMutation({
    mutationFn: ({ kind, runtime }: { kind: 'disable' | 'template'; runtime: Runtime }) =>
      unwrap(
        kind === 'disable'
          ? api.POST('/api/v1/runtimes/{runtime}/disable', { params: { path: { runtime: runtime.id } } })
          : api.POST('/api/v1/runtimes/{runtime}/template', { params: { path: { runtime: runtime.id } } }),
      ),
    onSuccess: () => {
      setPending(null);
      void client.invalidateQueries({ queryKey: ['runtimes'] });
    },
  });
  const writable = can('runtimes:write');
  const rows = list.data?.items ?? [];

  return (
    <AdminPage
      title="Odoo runtimes"
      description="Odoo servers of one version in multi-database mode. New tenants are placed on a ready runtime of their version; a disabled runtime keeps serving its tenants but takes no new ones."
      actions={
        writable ? (
          <Button leftSection={<IconPlus size={18} aria-hidden />} onClick={() => setRegistering(true)}>
            Register runtime
          </Button>
        ) : null
      }
    >
      <Switch
        label="Show disabled runtimes"
        checked={includeDisabled}
        onChange={(e) => setIncludeDisabled(e.currentTarget.checked)}
      />
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover verticalSpacing="sm">
          <Table.Caption>Odoo runtimes, oldest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Odoo</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Tenants</Table.Th>
              <Table.Th scope="col">Template</Table.Th>
              <Table.Th scope="col">Registered</Table.Th>
              {writable ? (
                <Table.Th scope="col">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isLoading
              ? [0, 1].map((i) => (
                  <Table.Tr key={i}>
                    <Table.Td colSpan={7}>
                      <Skeleton height={20} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {r.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {r.rpcUrl}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{r.odooVersion}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={stateWords[r.state]}>
                        <ToneBadge tone={stateColor[r.state]} tabIndex={0}>
                          {r.state}
                        </ToneBadge>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td miw={140}>
                      <Text size="sm">
                        {r.tenantCount} of {r.maxTenants}
                      </Text>
                      <Progress
                        value={Math.min(100, (r.tenantCount / r.maxTenants) * 100)}
                        size="sm"
                        mt={4}
                        aria-label={`${r.name}: ${r.tenantCount} of ${r.maxTenants} tenants`}
                      />
                    </Table.Td>
                    <Table.Td maw={320}>
                      <Text size="sm">{r.templateDatabase ?? '—'}</Text>
                      {r.templateStep ? (
                        <Text size="xs" c="blue.8">
                          {r.templateStep}
                        </Text>
                      ) : null}
                      {r.templateError ? (
                        <Text size="xs" c="red.8" lineClamp={3} title={r.templateError}>
                          {r.templateError}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatTime(r.createdAt)}</Text>
                    </Table.Td>
                    {writable ? (
                      <Table.Td ta="right">
                        <Menu position="bottom-end">
                          <Menu.Target>
                            <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${r.name}`}>
                              <IconDots size={18} aria-hidden />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item
                              leftSection={<IconRefresh size={16} aria-hidden />}
                              disabled={r.state === 'preparing'}
                              onClick={() => setPending({ kind: 'template', runtime: r })}
                            >
                              Rebuild template
                            </Menu.Item>
                            {r.state !== 'disabled' ? (
                              <Menu.Item
                                color="red.9"
                                leftSection={<IconBan size={16} aria-hidden />}
                                onClick={() => setPending({ kind: 'disable', runtime: r })}
                              >
                                Disable
                              </Menu.Item>
                            ) : null}
                          </Menu.Dropdown>
                        </Menu>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
            {!list.isLoading && rows.length === 0 ? (
              <EmptyRow colSpan={7}>
                No runtime registered{includeDisabled ? '' : ' (or every one is disabled)'}. Tenants need a
                ready runtime of their Odoo version.
              </EmptyRow>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Runtimes"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      <RegisterRuntimeModal opened={registering} onClose={() => setRegistering(false)} />
      <ConfirmModal
        opened={pending !== null}
        title={
          pending?.kind === 'disable'
            ? `Disable ${pending.runtime.name}?`
            : `Rebuild the template of ${pending?.runtime.name ?? ''}?`
        }
        confirmLabel={pending?.kind === 'disable' ? 'Disable runtime' : 'Rebuild template'}
        danger={pending?.kind === 'disable'}
        pending={act.isPending}
        error={act.error}
        onConfirm={() => pending && act.mutate(pending)}
        onClose={() => {
          setPending(null);
          act.reset();
        }}
      >
        {pending?.kind === 'disable'
          ? 'It takes no new tenants from now on. The tenants it serves stay on it and keep working.'
          : 'A new template database is made through the runtime (after an Odoo release), beside the current one, which new tenants keep using until the new one is ready.'}
      </ConfirmModal>
    </AdminPage>
  );
}
