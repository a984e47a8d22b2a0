import { Badge, Button, Group, Skeleton, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan, useMe } from '../../session.tsx';
import { ConfirmModal } from '../admin-kit/confirm.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { formatRelative, formatTime } from '../admin-kit/format.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { ToneBadge } from '../admin-kit/tone.tsx';
import { CreateTokenModal } from './token-create.tsx';

const fetchTokens = (cursor?: string) =>
  unwrap(api.GET('/api/v1/tokens', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
type Token = Awaited<ReturnType<typeof fetchTokens>>['items'][number];

function statusOf(t: Token, now: number): { label: string; color: string } {
  if (t.revokedAt) return { label: 'Revoked', color: 'gray.8' };
  if (Date.parse(t.expiresAt) <= now) return { label: 'Expired', color: 'orange.9' };
  return { label: 'Active', color: 'green.9' };
}

/** API tokens: the caller's own (and those it made), or everyone's with tokens:all; never their secrets. */
export default function TokensPage() {
  const can = useCan();
  const me = useMe().data;
  const client = useQueryClient();
  const pages = useCursorPages();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const list = useQuery({ queryKey: ['tokens', pages.cursor], queryFn: () => fetchTokens(pages.cursor) });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const now = Date.now();
  const rows = list.data?.items ?? [];
  const account = (t: Token) =>
    t.operator.id === me?.operator.id ? 'You' : (t.operator.email ?? t.operator.name ?? t.operator.id);

  return (
    <AdminPage
      title="API tokens"
      description={
        can('tokens:all')
          ? 'Every API token of the platform. A token works only within its scopes and its account’s current role; its secret is shown once, when it is made.'
          : 'Your API tokens and those you made for service accounts. A token works only within its scopes and your current role; its secret is shown once, when it is made.'
      }
      actions={
        can('tokens:own') ? (
          <Button leftSection={<IconPlus size={18} aria-hidden />} onClick={() => setCreating(true)}>
            New token
          </Button>
        ) : null
      }
    >
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover verticalSpacing="sm">
          <Table.Caption>API tokens, newest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Acts for</Table.Th>
              <Table.Th scope="col">Scopes</Table.Th>
              <Table.Th scope="col">Created</Table.Th>
              <Table.Th scope="col">Expires</Table.Th>
              <Table.Th scope="col">Last used</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.isLoading
              ? [0, 1].map((i) => (
                  <Table.Tr key={i}>
                    <Table.Td colSpan={8}>
                      <Skeleton height={20} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : rows.map((t) => {
                  const status = statusOf(t, now);
                  return (
                    <Table.Tr key={t.id}>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <IconKey size={16} aria-hidden />
                          <Text size="sm" fw={500}>
                            {t.name}
                          </Text>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{account(t)}</Text>
                        {t.operator.kind === 'service' ? (
                          <Text size="xs" c="dimmed">
                            service account
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td maw={360}>
                        <Group gap={4}>
                          {t.scopes.slice(0, 4).map((s) => (
                            <Badge key={s} variant="default" radius="sm" tt="none" fw={500}>
                              {s}
                            </Badge>
                          ))}
                          {t.scopes.length > 4 ? (
                            <Tooltip label={t.scopes.slice(4).join(', ')} multiline maw={320}>
                              <Badge variant="default" radius="sm" tt="none" tabIndex={0}>
                                +{t.scopes.length - 4} more
                              </Badge>
                            </Tooltip>
                          ) : null}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatTime(t.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" title={formatTime(t.expiresAt)}>
                          {formatRelative(t.expiresAt, now)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" title={t.lastUsedAt ? formatTime(t.lastUsedAt) : undefined}>
                          {t.lastUsedAt ? formatRelative(t.lastUsedAt, now) : 'Never'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <ToneBadge tone={status.color}>{status.label}</ToneBadge>
                      </Table.Td>
                      <Table.Td ta="right">
                        {status.label === 'Active' ? (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => setRevoking(t)}
                            aria-label={`Revoke ${t.name}`}
                          >
                            Revoke
                          </Button>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
            {!list.isLoading && rows.length === 0 ? <EmptyRow colSpan={8}>No API token yet.</EmptyRow> : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="API tokens"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      <CreateTokenModal opened={creating} onClose={() => setCreating(false)} />
      <ConfirmModal
        opened={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        danger
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        It stops working at once, for every program that uses it. This cannot be undone.
      </ConfirmModal>
    </AdminPage>
  );
}
