import {
  Anchor,
  Button,
  Group,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedCallback, useDisclosure } from '@mantine/hooks';
import { type operations, tenantStates } from '@ocp/api-client';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { useTitle } from '../../components/use-title.ts';
import { ago, formatDate } from '../../format.ts';
import { useCan } from '../../session.tsx';
import { Pager } from '../admin-kit/pager.tsx';
import { CreateTenantModal } from './create-tenant.tsx';

type Tenant = Schemas['Tenant'];
type TenantQuery = NonNullable<operations['tenantList']['parameters']['query']>;
type Sort = NonNullable<TenantQuery['sort']>;

const sorts: { value: Sort; label: string }[] = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: '-updatedAt', label: 'Recently changed' },
  { value: 'displayName', label: 'Name A–Z' },
  { value: '-displayName', label: 'Name Z–A' },
  { value: 'slug', label: 'Slug A–Z' },
  { value: '-slug', label: 'Slug Z–A' },
  { value: 'state', label: 'State' },
];

const PAGE = 25;
/** The table's filters; the page position (`after`, a stack of cursors) is dropped when one changes. */
const filterKeys = ['q', 'state', 'plan', 'runtime', 'sort', 'prefix'] as const;

/** The runtimes to filter by, when the account may read them. */
function useRuntimes(enabled: boolean) {
  return useQuery({
    queryKey: ['runtimes'],
    queryFn: () => unwrap(api.GET('/api/v1/runtimes', { params: { query: { limit: 200 } } })),
    enabled,
    staleTime: 60_000,
  });
}

/** A text filter typed into the URL after a pause, so the history is not one entry per key. */
function useTextParam(params: URLSearchParams, set: (k: string, v: string) => void, key: string) {
  const [value, setValue] = useState(params.get(key) ?? '');
  const external = params.get(key) ?? '';
  useEffect(() => setValue(external), [external]);
  const commit = useDebouncedCallback((v: string) => set(key, v.trim()), 350);
  return {
    value,
    onChange: (e: { currentTarget: { value: string } }) => {
      setValue(e.currentTarget.value);
      commit(e.currentTarget.value);
    },
  };
}

export function TenantsPage() {
  useTitle('Tenants');
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const [creating, create] = useDisclosure(false);
  const after = (params.get('after') ?? '').split(',').filter(Boolean);
  const cursor = after[after.length - 1];

  const setFilter = (key: string, value: string | null) => {
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(key, value);
        else next.delete(key);
        next.delete('after');
        return next;
      },
      { replace: key === 'q' || key === 'plan' || key === 'prefix' ? params.get(key) !== null : false },
    );
  };
  const qInput = useTextParam(params, setFilter, 'q');
  const planInput = useTextParam(params, setFilter, 'plan');
  const prefixInput = useTextParam(params, setFilter, 'prefix');

  // What the address says, as the API's query: an unknown state or sort is ignored, not sent.
  const state = tenantStates.find((s) => s === params.get('state'));
  const sort = sorts.find((s) => s.value === params.get('sort'))?.value;
  const q = params.get('q');
  const plan = params.get('plan');
  const runtimeId = params.get('runtime');
  const slugPrefix = params.get('prefix');
  const query: TenantQuery = {
    limit: PAGE,
    ...(q ? { q } : {}),
    ...(state ? { state } : {}),
    ...(plan ? { plan } : {}),
    ...(runtimeId ? { runtimeId } : {}),
    ...(sort ? { sort } : {}),
    ...(slugPrefix ? { slugPrefix } : {}),
    ...(cursor ? { cursor } : {}),
  };

  const list = useQuery({
    queryKey: ['tenants', query],
    queryFn: () => unwrap(api.GET('/api/v1/tenants', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const runtimes = useRuntimes(can('runtimes:read'));

  const page = (to: string[]) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (to.length) next.set('after', to.join(','));
      else next.delete('after');
      return next;
    });

  const filtered = filterKeys.some((k) => k !== 'sort' && params.get(k));
  const items: Tenant[] = list.data?.items ?? [];

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1}>Tenants</Title>
        {can('tenants:create') && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={create.open}>
            Create tenant
          </Button>
        )}
      </Group>

      <Paper p="md">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Name, slug, domain, customer"
            leftSection={<IconSearch size={16} aria-hidden />}
            w={260}
            {...qInput}
          />
          <Select
            label="State"
            placeholder="Any state"
            data={tenantStates}
            clearable
            w={160}
            value={state ?? null}
            onChange={(v) => setFilter('state', v)}
          />
          <TextInput label="Plan" placeholder="Any plan" w={140} {...planInput} />
          {can('runtimes:read') && (
            <Select
              label="Runtime"
              placeholder="Any runtime"
              clearable
              w={200}
              data={(runtimes.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
              value={params.get('runtime')}
              onChange={(v) => setFilter('runtime', v)}
            />
          )}
          <TextInput label="Slug starts with" placeholder="acme" w={150} {...prefixInput} />
          <Select
            label="Sort"
            data={sorts}
            w={170}
            allowDeselect={false}
            value={sort ?? '-createdAt'}
            onChange={(v) => setFilter('sort', v === '-createdAt' ? null : v)}
          />
          {filtered && (
            <Button variant="subtle" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </Button>
          )}
        </Group>
      </Paper>

      <ProblemAlert error={list.error} />

      <Paper p={0}>
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="Tenants" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Plan</Table.Th>
                <Table.Th>Database</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending &&
                Array.from({ length: 8 }, (_, i) => (
                  <Table.Tr key={i}>
                    {Array.from({ length: 6 }, (_, j) => (
                      <Table.Td key={j}>
                        <Skeleton height={14} radius="sm" />
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              {items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/tenants/${t.id}`} fw={600}>
                      {t.displayName}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {t.slug}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <StateBadge state={t.state} size="sm" />
                      {t.suspensionReasons.length > 0 && (
                        <Text size="xs" c="dimmed">
                          {t.suspensionReasons.join(', ')}
                        </Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{t.plan}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {t.databaseName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(t.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{ago(t.updatedAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {list.isSuccess && items.length === 0 && (
          <Stack align="center" gap={4} p="xl">
            <Text fw={600}>{filtered ? 'No tenant matches these filters' : 'No tenants yet'}</Text>
            <Text size="sm" c="dimmed">
              {filtered
                ? 'Change or clear the filters to see more.'
                : 'Create the first tenant to get started.'}
            </Text>
          </Stack>
        )}
      </Paper>

      <Pager
        label="Tenants"
        page={after.length + 1}
        hasPrevious={after.length > 0}
        nextCursor={list.data?.nextCursor}
        onPrevious={() => page(after.slice(0, -1))}
        onNext={(cursor) => page([...after, cursor])}
      />

      <CreateTenantModal opened={creating} onClose={create.close} />
    </Stack>
  );
}
