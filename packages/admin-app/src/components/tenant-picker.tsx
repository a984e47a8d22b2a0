import {
  type ComboboxItem,
  MultiSelect,
  type MultiSelectProps,
  type OptionsFilter,
  Select,
  type SelectProps,
  Stack,
  Text,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../api.ts';

type Tenant = Schemas['Tenant'];

/** How many tenants the dropdown offers at once: the search narrows them, not scrolling. */
const SHOWN = 20;

const labelOf = (t: Pick<Tenant, 'slug' | 'displayName'>) => `${t.slug} — ${t.displayName}`;

/**
 * The tenants matching what the user types (the API's `q`: name, slug, domain, billing customer),
 * asked for after a pause in the typing, with the selected tenants added so their labels show
 * whether they match or not. Without text, the newest tenants.
 */
function useTenantOptions(selected: string[], search: string) {
  // The selected tenants, each read by its id (the tenant page's cache entry).
  const chosen = useQueries({
    queries: selected.map((id) => ({
      queryKey: ['tenant', id],
      queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenant}', { params: { path: { tenant: id } } })),
      staleTime: 60_000,
    })),
  });
  const known = new Map<string, Tenant>();
  for (const q of chosen) if (q.data) known.set(q.data.id, q.data);
  // A single select shows the picked tenant's label in its input: that is no text to search for.
  const typed = [...known.values()].some((t) => labelOf(t) === search) ? '' : search.trim().slice(0, 100);
  const [term] = useDebouncedValue(typed, 250);
  const found = useQuery({
    queryKey: ['tenants', 'picker', term],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/tenants', { params: { query: { limit: SHOWN, ...(term ? { q: term } : {}) } } }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  for (const t of found.data?.items ?? []) known.set(t.id, t);
  const options: ComboboxItem[] = [...known.values()].map((t) => ({ value: t.id, label: labelOf(t) }));
  // One the account cannot read (or that is gone) still shows, by the start of its id.
  for (const id of selected)
    if (!known.has(id) && chosen.some((q) => q.isError))
      options.push({ value: id, label: `${id.slice(0, 8)}… (unknown tenant)` });
  const searching = found.isFetching || typed !== term;
  return { options, known, searching };
}

/** Each option as its slug and, below it, its name. */
function TenantOption({ option, tenant }: { option: ComboboxItem; tenant: Tenant | undefined }) {
  if (!tenant) return <Text size="sm">{option.label}</Text>;
  return (
    <Stack gap={0} miw={0}>
      <Text size="sm" fw={600} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
        {tenant.slug}
      </Text>
      <Text size="xs" c="dimmed" truncate>
        {tenant.displayName}
      </Text>
    </Stack>
  );
}

/** The API has searched already: every option it answered is shown. */
const noFilter: OptionsFilter = ({ options }) => options;

type Fixed = 'data' | 'value' | 'onChange' | 'searchable' | 'searchValue' | 'onSearchChange' | 'filter';

/**
 * One tenant, found by typing part of its name, slug, domain or billing customer id: the API is
 * searched as the user types (`GET /api/v1/tenants?q=`), so every tenant can be picked, not only
 * the first page of them.
 */
export function TenantPicker({
  value,
  onChange,
  ...props
}: Omit<SelectProps, Fixed> & { value: string | null; onChange(id: string | null): void }) {
  const [search, setSearch] = useState('');
  const { options, known, searching } = useTenantOptions(value ? [value] : [], search);
  return (
    <Select
      placeholder="Any tenant"
      nothingFoundMessage={searching ? 'Searching…' : 'No tenant matches'}
      {...props}
      searchable
      data={options}
      filter={noFilter}
      value={value}
      onChange={(id) => onChange(id)}
      searchValue={search}
      onSearchChange={setSearch}
      renderOption={({ option }) => <TenantOption option={option} tenant={known.get(option.value)} />}
    />
  );
}

/** Several tenants, each found as in `TenantPicker` (an operator's tenant scope). */
export function TenantMultiPicker({
  value,
  onChange,
  ...props
}: Omit<MultiSelectProps, Fixed> & { value: string[]; onChange(ids: string[]): void }) {
  const [search, setSearch] = useState('');
  const { options, known, searching } = useTenantOptions(value, search);
  return (
    <MultiSelect
      nothingFoundMessage={searching ? 'Searching…' : 'No tenant matches'}
      {...props}
      searchable
      data={options}
      filter={noFilter}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      renderOption={({ option }) => <TenantOption option={option} tenant={known.get(option.value)} />}
    />
  );
}
