import {
  ActionIcon,
  Button,
  Group,
  Menu,
  Select,
  Skeleton,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import {
  IconBan,
  IconCircleCheck,
  IconDots,
  IconLockOpen,
  IconPencil,
  IconTrash,
  IconUserPlus,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan, useMe } from '../../session.tsx';
import { type Role, roleInfo, roles } from '../admin-kit/access-model.ts';
import { ConfirmModal } from '../admin-kit/confirm.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { formatTime } from '../admin-kit/format.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { useTenantNames } from '../admin-kit/tenant-names.ts';
import { ToneBadge } from '../admin-kit/tone.tsx';
import { EditOperatorModal } from './operator-edit.tsx';
import { InviteOperatorModal } from './operator-invite.tsx';

type Operator = Awaited<ReturnType<typeof fetchOperators>>['items'][number];

const fetchOperators = (query: { limit: number; cursor?: string; role?: Role }) =>
  unwrap(api.GET('/api/v1/operators', { params: { query } }));

type Pending =
  | { kind: 'disable' | 'enable' | 'unlock' | 'delete'; operator: Operator }
  | { kind: 'edit'; operator: Operator };

export function RoleBadge({ role }: { role: Role }) {
  return <ToneBadge tone={roleInfo[role].color}>{roleInfo[role].label}</ToneBadge>;
}

/** Operator accounts: who may do what, on which tenants, and the actions the caller may take on them. */
export default function OperatorsPage() {
  const can = useCan();
  const me = useMe().data;
  const client = useQueryClient();
  const [role, setRole] = useState<Role | null>(null);
  const pages = useCursorPages(role ?? '');
  const [inviting, setInviting] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);

  const list = useQuery({
    queryKey: ['operators', role, pages.cursor],
    queryFn: () =>
      fetchOperators({
        limit: 50,
        ...(role ? { role } : {}),
        ...(pages.cursor ? { cursor: pages.cursor } : {}),
      }),
  });
  const rows = list.data?.items ?? [];
  // Every scope of the page in one request (deduplicated; over 100 tenants, one request per 100).
  const tenants = useTenantNames(rows.flatMap((o) => o.tenantIds ?? []));

  const act = useMutation({
    mutationFn: async (p: Exclude<Pending, { kind: 'edit' }>) => {
      const path = { id: p.operator.id };
      if (p.kind === 'unlock')
        return unwrap(api.DELETE('/api/v1/operators/{id}/login-lock', { params: { path } }));
      if (p.kind === 'delete') return unwrap(api.DELETE('/api/v1/operators/{id}', { params: { path } }));
      return unwrap(
        api.PATCH('/api/v1/operators/{id}', { params: { path }, body: { disabled: p.kind === 'disable' } }),
      );
    },
    onSuccess: () => {
      setPending(null);
      void client.invalidateQueries({ queryKey: ['operators'] });
    },
  });

  const nameOf = (o: Operator) => o.email ?? o.name ?? o.id;
  /** Changing an owner needs operators:owners; one's own account is not disabled or deleted from here. */
  const mayChange = (o: Operator) =>
    can('operators:write') && (o.role !== 'owner' || can('operators:owners'));
  const actionsFor = (o: Operator): ReactNode[] => {
    const self = o.id === me?.operator.id;
    const items: ReactNode[] = [];
    if (mayChange(o))
      items.push(
        <Menu.Item
          key="edit"
          leftSection={<IconPencil size={16} aria-hidden />}
          onClick={() => setPending({ kind: 'edit', operator: o })}
        >
          Change role and tenants
        </Menu.Item>,
      );
    if (mayChange(o) && !self)
      items.push(
        o.disabled ? (
          <Menu.Item
            key="enable"
            leftSection={<IconCircleCheck size={16} aria-hidden />}
            onClick={() => setPending({ kind: 'enable', operator: o })}
          >
            Enable
          </Menu.Item>
        ) : (
          <Menu.Item
            key="disable"
            leftSection={<IconBan size={16} aria-hidden />}
            onClick={() => setPending({ kind: 'disable', operator: o })}
          >
            Disable
          </Menu.Item>
        ),
      );
    if (can('operators:unlock') && o.kind === 'human')
      items.push(
        <Menu.Item
          key="unlock"
          leftSection={<IconLockOpen size={16} aria-hidden />}
          onClick={() => setPending({ kind: 'unlock', operator: o })}
        >
          Lift login lock
        </Menu.Item>,
      );
    if (mayChange(o) && !self)
      items.push(
        <Menu.Divider key="div" />,
        <Menu.Item
          key="delete"
          color="red.9"
          leftSection={<IconTrash size={16} aria-hidden />}
          onClick={() => setPending({ kind: 'delete', operator: o })}
        >
          Delete
        </Menu.Item>,
      );
    return items;
  };

  const scopeOf = (o: Operator) => {
    if (!o.tenantIds) return <Text size="sm">All tenants</Text>;
    const names = o.tenantIds.map(tenants.slugOf);
    return (
      <Tooltip label={names.join(', ')} multiline maw={320}>
        <Text size="sm" tabIndex={0} style={{ textDecoration: 'underline dotted' }}>
          {names.length === 1 ? names[0] : `${names.length} tenants`}
        </Text>
      </Tooltip>
    );
  };

  const confirmText: Record<
    Exclude<Pending['kind'], 'edit'>,
    (o: string) => { title: string; body: string; label: string }
  > = {
    disable: (o) => ({
      title: `Disable ${o}?`,
      body: 'The account can no longer log in, its sessions end now, and its API tokens stop working until it is enabled again.',
      label: 'Disable account',
    }),
    enable: (o) => ({
      title: `Enable ${o}?`,
      body: 'The account can log in again and its unexpired API tokens work again.',
      label: 'Enable account',
    }),
    unlock: (o) => ({
      title: `Lift the login lock of ${o}?`,
      body: 'Forgets its failed logins and lifts its locks everywhere. The password is still needed to log in.',
      label: 'Lift lock',
    }),
    delete: (o) => ({
      title: `Delete ${o}?`,
      body: 'The account, its sessions and its API tokens are removed for good. Its entries in the audit log stay.',
      label: 'Delete account',
    }),
  };
  const confirming =
    pending && pending.kind !== 'edit' ? confirmText[pending.kind](nameOf(pending.operator)) : null;

  return (
    <AdminPage
      title="Operators"
      description="The people and service accounts that run the platform, their roles and the tenants they are limited to."
      actions={
        can('operators:write') ? (
          <Button leftSection={<IconUserPlus size={18} aria-hidden />} onClick={() => setInviting(true)}>
            Invite operator
          </Button>
        ) : null
      }
    >
      <Group>
        <Select
          label="Role"
          placeholder="Any role"
          clearable
          w={200}
          data={roles.map((r) => ({ value: r, label: roleInfo[r].label }))}
          value={role}
          onChange={(v) => setRole(v as Role | null)}
        />
      </Group>
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-busy={list.isLoading}>
          <Table.Caption>
            Operator accounts, newest first. Last logins are not reported by the API.
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Account</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
              <Table.Th scope="col">Tenants</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isLoading
              ? [0, 1, 2].map((i) => (
                  <Table.Tr key={i}>
                    <Table.Td colSpan={6}>
                      <Skeleton height={20} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : rows.map((o) => {
                  const items = actionsFor(o);
                  return (
                    <Table.Tr key={o.id}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {nameOf(o)}
                          {o.id === me?.operator.id ? (
                            <Text span size="xs" c="dimmed">
                              {' '}
                              (you)
                            </Text>
                          ) : null}
                        </Text>
                        {o.kind === 'service' ? (
                          <Text size="xs" c="dimmed">
                            Service account (API tokens only)
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        <RoleBadge role={o.role} />
                      </Table.Td>
                      <Table.Td>{scopeOf(o)}</Table.Td>
                      <Table.Td>
                        {o.disabled ? (
                          <ToneBadge tone="red">Disabled</ToneBadge>
                        ) : (
                          <ToneBadge tone="green">Enabled</ToneBadge>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatTime(o.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        {items.length > 0 ? (
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <ActionIcon
                                variant="subtle"
                                color="gray"
                                aria-label={`Actions for ${nameOf(o)}`}
                              >
                                <IconDots size={18} aria-hidden />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>{items}</Menu.Dropdown>
                          </Menu>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
            {!list.isLoading && rows.length === 0 ? (
              <EmptyRow colSpan={6}>
                No operator {role ? `with the role ${roleInfo[role].label}` : ''}
              </EmptyRow>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Operators"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      <InviteOperatorModal opened={inviting} onClose={() => setInviting(false)} />
      {pending?.kind === 'edit' ? (
        <EditOperatorModal
          key={pending.operator.id}
          operator={pending.operator}
          onClose={() => setPending(null)}
        />
      ) : null}
      <ConfirmModal
        opened={confirming !== null}
        title={confirming?.title ?? ''}
        confirmLabel={confirming?.label ?? ''}
        danger={pending?.kind === 'delete' || pending?.kind === 'disable'}
        pending={act.isPending}
        error={act.error}
        onConfirm={() => pending && pending.kind !== 'edit' && act.mutate(pending)}
        onClose={() => {
          setPending(null);
          act.reset();
        }}
      >
        {confirming?.body}
      </ConfirmModal>
    </AdminPage>
  );
}
