import { Group, Select, Skeleton, Table, Text, Tooltip } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { TenantName } from '../../components/tenant-name.tsx';
import { TenantPicker } from '../../components/tenant-picker.tsx';
import { ProblemAlert } from '../../forms.ts';
import { useMe } from '../../session.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';
import { formatTime } from '../admin-kit/format.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { Pager, useCursorPages } from '../admin-kit/pager.tsx';
import { useTenantNames } from '../admin-kit/tenant-names.ts';
import { ToneBadge } from '../admin-kit/tone.tsx';

type Status = Schemas['BillingWebhooksListRequestV1-status'];
type Query = { provider?: 'stripe' | 'paddle'; status?: Status; tenantId?: string };
const fetchWebhooks = (q: Query, cursor?: string) =>
  unwrap(
    api.GET('/api/v1/billing/webhooks', {
      params: { query: { limit: 50, ...q, ...(cursor ? { cursor } : {}) } },
    }),
  );

const statusInfo: Record<Status, { color: string; words: string }> = {
  applied: { color: 'green.9', words: 'Changed a subscription, or confirmed it' },
  duplicate: { color: 'gray.9', words: 'The same provider event again' },
  rejected: { color: 'red.9', words: 'Refused at the door (signature, age or form)' },
  unmatched: { color: 'orange.9', words: 'No known tenant: kept and reported' },
  ignored: { color: 'gray.9', words: 'A type the platform does not use' },
  failed: { color: 'red.9', words: 'Could not be read' },
};

/** The billing providers' webhooks as the platform received them, newest first. */
export default function BillingPage() {
  const me = useMe().data;
  const scope = me?.tenantScope ?? null;
  const [provider, setProvider] = useState<Query['provider'] | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  // An account limited to tenants may only ask about one of them at a time.
  const [tenantId, setTenantId] = useState<string | null>(null);
  const tenant = tenantId ?? scope?.[0] ?? null;
  const query: Query = {
    ...(provider ? { provider } : {}),
    ...(status ? { status } : {}),
    ...(tenant ? { tenantId: tenant } : {}),
  };
  const pages = useCursorPages(JSON.stringify(query));
  const list = useQuery({
    queryKey: ['billing', 'webhooks', query, pages.cursor],
    queryFn: () => fetchWebhooks(query, pages.cursor),
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.items ?? [];
  const tenants = useTenantNames(rows.map((w) => w.tenantId));

  return (
    <AdminPage
      title="Billing webhooks"
      description="Events from Stripe and Paddle as the platform received them, newest first, with what became of each."
    >
      <Group align="flex-end" gap="md" wrap="wrap">
        <Select
          label="Provider"
          placeholder="Any provider"
          clearable
          w={180}
          data={[
            { value: 'stripe', label: 'Stripe' },
            { value: 'paddle', label: 'Paddle' },
          ]}
          value={provider ?? null}
          onChange={(v) => setProvider((v as Query['provider']) ?? null)}
        />
        <Select
          label="Outcome"
          placeholder="Any outcome"
          clearable
          w={200}
          data={Object.keys(statusInfo).map((s) => ({ value: s, label: s }))}
          value={status}
          onChange={(v) => setStatus(v as Status | null)}
        />
        <TenantPicker label="Tenant" clearable={!scope} w={280} value={tenant} onChange={setTenantId} />
      </Group>
      <ProblemAlert error={list.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover verticalSpacing="sm">
          <Table.Caption>Webhook events, newest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Received</Table.Th>
              <Table.Th scope="col">Provider</Table.Th>
              <Table.Th scope="col">Event type</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Tenant</Table.Th>
              <Table.Th scope="col">Detail</Table.Th>
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
              : rows.map((w) => (
                  <Table.Tr key={w.id}>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                        {formatTime(w.receivedAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" tt="capitalize">
                        {w.provider}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{w.providerEventType ?? '—'}</Text>
                      {w.providerEventId ? (
                        <Text size="xs" c="dimmed">
                          {w.providerEventId}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={statusInfo[w.status].words}>
                        <ToneBadge tone={statusInfo[w.status].color} tabIndex={0}>
                          {w.status}
                        </ToneBadge>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      {w.tenantId ? <TenantName id={w.tenantId} names={tenants} /> : <Text size="sm">—</Text>}
                    </Table.Td>
                    <Table.Td maw={360}>
                      <Text size="sm" lineClamp={2} title={w.detail ?? undefined}>
                        {w.detail ?? '—'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
            {!list.isLoading && rows.length === 0 ? (
              <EmptyRow colSpan={6}>
                No webhook event received{provider || status ? ' matching the filters' : ' yet'}.
              </EmptyRow>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager
        label="Webhook events"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </AdminPage>
  );
}
