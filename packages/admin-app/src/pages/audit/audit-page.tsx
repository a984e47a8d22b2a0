import { Anchor, Button, Group, Menu, SegmentedControl, Skeleton, Table, Text, Tooltip } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api.ts';
import { TenantName } from '../../components/tenant-name.tsx';
import { ProblemAlert } from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { formatTime } from '../admin-kit/format.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { useTenantNames } from '../admin-kit/tenant-names.ts';
import { AuditDetail, OutcomeBadge } from './audit-detail.tsx';
import { AuditFilters, type Filters, filterKeys, filtersOf } from './audit-filters.tsx';
import { useVerifyChain, VerifyButton, VerifyResult } from './audit-verify.tsx';

/** Newest first unless the address says `order=asc`: what happened last is what is looked for. */
type Order = 'asc' | 'desc';
const orderOf = (params: URLSearchParams): Order => (params.get('order') === 'asc' ? 'asc' : 'desc');

const fetchAudit = (filters: Filters, order: Order, cursor: string | undefined) =>
  unwrap(
    api.GET('/api/v1/audit', {
      params: {
        query: {
          limit: 100,
          order,
          ...(filters as Record<string, string>),
          ...(cursor ? { cursor } : {}),
        } as { limit: number; order: Order },
      },
    }),
  );
export type AuditEntry = Awaited<ReturnType<typeof fetchAudit>>['items'][number];

/** The export route with the filters in force, as a link the browser downloads with its session. */
function exportHref(filters: Filters, format: 'csv' | 'ndjson'): string {
  const q = new URLSearchParams({ format });
  for (const k of filterKeys) if (filters[k]) q.set(k, filters[k]);
  return `/api/v1/audit/export?${q}`;
}

/**
 * The audit log: every change and refusal, filtered by the URL's search params (so a filtered view
 * can be shared or bookmarked), paged newest first (or in chain order, `order=asc`), each entry
 * opened whole in a drawer.
 */
export default function AuditPage() {
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const order = orderOf(params);
  // A cursor belongs to its order: another order starts from its first page.
  const filterKey = [order, ...filterKeys.map((k) => filters[k] ?? '')].join('|');
  const pages = useCursorPages(filterKey);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const verify = useVerifyChain();
  const log = useQuery({
    queryKey: ['audit', filterKey, pages.cursor],
    queryFn: () => fetchAudit(filters, order, pages.cursor),
    placeholderData: keepPreviousData,
  });

  const apply = (f: Filters, o: Order = order) => {
    const next = new URLSearchParams();
    for (const k of filterKeys) if (f[k]) next.set(k, f[k]);
    if (o === 'asc') next.set('order', 'asc');
    setParams(next);
  };
  const rows = log.data?.items ?? [];
  const tenants = useTenantNames(rows.map((e) => e.tenantId));
  const who = (e: AuditEntry) => {
    const email = (e.data as { actorEmail?: unknown }).actorEmail;
    return typeof email === 'string' && email ? email : e.actor;
  };

  return (
    <AdminPage
      title="Audit log"
      description="Every change, refusal and lifecycle event, newest first or in the order it was chained. Entries are append-only and hash-chained; verifying checks every link and the last signed checkpoint."
      actions={
        <>
          {can('audit:verify') ? <VerifyButton run={verify} /> : null}
          {can('audit:export') ? (
            <Menu position="bottom-end">
              <Menu.Target>
                <Button variant="default" leftSection={<IconDownload size={18} aria-hidden />}>
                  Export
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>With the filters in force</Menu.Label>
                <Menu.Item component="a" href={exportHref(filters, 'csv')} download>
                  CSV
                </Menu.Item>
                <Menu.Item component="a" href={exportHref(filters, 'ndjson')} download>
                  NDJSON
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          ) : null}
        </>
      }
    >
      <VerifyResult run={verify} />
      <AuditFilters value={filters} onApply={apply} />
      <Group justify="flex-end">
        <SegmentedControl
          size="xs"
          aria-label="Order of entries"
          value={order}
          onChange={(o) => apply(filters, o as Order)}
          data={[
            { value: 'desc', label: 'Newest first' },
            { value: 'asc', label: 'Oldest first' },
          ]}
        />
      </Group>
      <ProblemAlert error={log.error} />
      <Table.ScrollContainer minWidth={960}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-busy={log.isFetching}>
          <Table.Caption>
            Audit entries{Object.keys(filters).length > 0 ? ' matching the filters' : ''},{' '}
            {order === 'asc' ? 'oldest first' : 'newest first'}. Open an action to see the entry whole.
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">#</Table.Th>
              <Table.Th scope="col">Time</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
              <Table.Th scope="col">Actor</Table.Th>
              <Table.Th scope="col">Target</Table.Th>
              <Table.Th scope="col">Tenant</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {log.isLoading
              ? [0, 1, 2, 3].map((i) => (
                  <Table.Tr key={i}>
                    <Table.Td colSpan={7}>
                      <Skeleton height={18} />
                    </Table.Td>
                  </Table.Tr>
                ))
              : rows.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {e.seq}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                        {formatTime(e.time)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        component="button"
                        size="sm"
                        fw={500}
                        onClick={() => setOpen(e)}
                        aria-label={`${e.action}, entry ${e.seq}: details`}
                      >
                        {e.action}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={e.actor}>
                        <Text size="sm" tabIndex={0} truncate maw={240}>
                          {who(e)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate maw={240} title={e.target ?? undefined}>
                        {e.target ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {e.tenantId ? <TenantName id={e.tenantId} names={tenants} /> : <Text size="sm">—</Text>}
                    </Table.Td>
                    <Table.Td>
                      <OutcomeBadge outcome={e.outcome} />
                    </Table.Td>
                  </Table.Tr>
                ))}
            {!log.isLoading && rows.length === 0 ? <EmptyRow colSpan={7}>No entry matches.</EmptyRow> : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Audit log"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={log.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
      <AuditDetail
        entry={open}
        onClose={() => setOpen(null)}
        onFilter={(key, value) => {
          setOpen(null);
          apply({ ...filters, [key]: value });
        }}
      />
    </AdminPage>
  );
}
