import { ActionIcon, Button, Menu, Skeleton, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconDots, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api.ts';
import { useTitle } from '../../components/use-title.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { ConfirmModal } from '../admin-kit/confirm.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { formatLimit, metricInfo, metrics } from '../admin-kit/quota-figures.ts';
import { type Plan, PlanFormModal } from './plan-form.tsx';

const fetchPlans = (cursor?: string) =>
  unwrap(
    api.GET('/api/v1/plans', { params: { query: { limit: 50, ...(cursor ? { after: cursor } : {}) } } }),
  );

function atLimitWords(plan: Plan): string {
  if (plan.atLimit.action === 'block') return 'Refuse module installs';
  const hours = Math.round((plan.atLimit.graceSeconds / 3600) * 10) / 10;
  return hours > 0 ? `Suspend after ${hours} h` : 'Suspend at once';
}

function meteredWords(plan: Plan): string {
  if (!plan.metered) return '—';
  return plan.metered.provider === 'stripe'
    ? `Stripe: ${plan.metered.meterEventName}`
    : `Paddle: ${plan.metered.priceId}`;
}

/** The plan catalog: what each plan limits, the modules it allows, its trial and what happens at 100 %. */
export default function PlansPage() {
  useTitle('Plans');
  const can = useCan();
  const client = useQueryClient();
  const pages = useCursorPages();
  const [editing, setEditing] = useState<{ plan: Plan | null } | null>(null);
  const [deleting, setDeleting] = useState<Plan | null>(null);
  const list = useQuery({ queryKey: ['plans', pages.cursor], queryFn: () => fetchPlans(pages.cursor) });
  const remove = useMutation({
    mutationFn: (plan: Plan) =>
      unwrap(api.DELETE('/api/v1/plans/{plan}', { params: { path: { plan: plan.name } } })),
    onSuccess: () => {
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ['plans'] });
    },
  });
  const writable = can('plans:write');
  const rows = list.data?.items ?? [];
  const columns = 4 + metrics.length + (writable ? 1 : 0);

  return (
    <AdminPage
      title="Plans"
      description="What a tenant on each plan may use: its limits, the Odoo modules it may install, its trial and what happens when it reaches a limit. Usage is measured on a schedule; at 80 % a warning goes out, over the limit the plan's policy applies."
      actions={
        writable ? (
          <Button leftSection={<IconPlus size={18} aria-hidden />} onClick={() => setEditing({ plan: null })}>
            New plan
          </Button>
        ) : null
      }
    >
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={1100}>
        <Table striped highlightOnHover verticalSpacing="sm">
          <Table.Caption>Plans by name</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Plan</Table.Th>
              {metrics.map((m) => (
                <Table.Th scope="col" key={m}>
                  {metricInfo[m].short}
                </Table.Th>
              ))}
              <Table.Th scope="col">Modules</Table.Th>
              <Table.Th scope="col">Trial</Table.Th>
              <Table.Th scope="col">Over a limit</Table.Th>
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
                    <Table.Td colSpan={columns}>
                      <Skeleton height={20} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : rows.map((p) => (
                  <Table.Tr key={p.name}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {p.displayName}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {p.name}
                        {p.odooVersion ? ` · Odoo ${p.odooVersion}` : ''} · v{p.version}
                      </Text>
                    </Table.Td>
                    {metrics.map((m) => (
                      <Table.Td key={m}>
                        <Text size="sm">{formatLimit(m, p.limits[m])}</Text>
                      </Table.Td>
                    ))}
                    <Table.Td maw={260}>
                      <Text size="sm">
                        {p.allowedModules === null ? 'Any' : `${p.allowedModules.length} allowed`}
                      </Text>
                      {p.defaultModules.length > 0 ? (
                        <Text size="xs" c="dimmed" lineClamp={2} title={p.defaultModules.join(', ')}>
                          At creation: {p.defaultModules.join(', ')}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{p.trialDays ? `${p.trialDays} days` : '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        <Text size="sm">{atLimitWords(p)}</Text>
                        {p.metered ? (
                          <Text size="xs" c="dimmed">
                            Metered: {meteredWords(p)}
                          </Text>
                        ) : null}
                      </Stack>
                    </Table.Td>
                    {writable ? (
                      <Table.Td ta="right">
                        <Menu position="bottom-end">
                          <Menu.Target>
                            <ActionIcon
                              variant="subtle"
                              color="gray"
                              aria-label={`Actions for ${p.displayName}`}
                            >
                              <IconDots size={18} aria-hidden />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item
                              leftSection={<IconPencil size={16} aria-hidden />}
                              onClick={() => setEditing({ plan: p })}
                            >
                              Edit
                            </Menu.Item>
                            <Menu.Item
                              color="red.9"
                              leftSection={<IconTrash size={16} aria-hidden />}
                              onClick={() => setDeleting(p)}
                            >
                              Delete
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
            {!list.isLoading && rows.length === 0 ? (
              <EmptyRow colSpan={columns}>
                No plan yet. A tenant whose plan is not in the catalog has no limits.
              </EmptyRow>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Plans"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.next}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      {editing ? (
        <PlanFormModal
          key={editing.plan?.name ?? 'new'}
          plan={editing.plan}
          opened
          onClose={() => setEditing(null)}
        />
      ) : null}
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete plan ${deleting?.displayName ?? ''}?`}
        confirmLabel="Delete plan"
        danger
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        The plan leaves the catalog. A plan that tenants are on cannot be deleted: move them to another plan
        first.
      </ConfirmModal>
    </AdminPage>
  );
}
