import { Button, Group, Paper, Select, SimpleGrid, TextInput } from '@mantine/core';
import { IconFilter, IconX } from '@tabler/icons-react';
import { type FormEvent, useEffect, useState } from 'react';
import { TenantPicker } from '../../components/tenant-picker.tsx';

/** The audit log's filters as the URL's search params hold them (and the API's query takes them). */
export const filterKeys = ['actor', 'action', 'tenantId', 'outcome', 'from', 'to'] as const;
export type FilterKey = (typeof filterKeys)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export function filtersOf(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const k of filterKeys) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  return out;
}

/** `2025-01-02T03:04` in local time (what a datetime-local input holds) from an RFC 3339 instant. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const fromLocalInput = (v: string): string | undefined => {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

const quickRanges = [
  { value: '1', label: 'Last hour' },
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
  { value: '720', label: 'Last 30 days' },
];

/**
 * The filter bar: typed values are applied together with "Apply"; picking a quick time range sets
 * "From" (and clears "To"), to be applied likewise.
 */
export function AuditFilters({ value, onApply }: { value: Filters; onApply: (f: Filters) => void }) {
  const [draft, setDraft] = useState({
    actor: value.actor ?? '',
    action: value.action ?? '',
    tenantId: value.tenantId ?? null,
    outcome: value.outcome ?? null,
    from: toLocalInput(value.from),
    to: toLocalInput(value.to),
  });
  // The URL changed by other means (back, a link from the detail drawer): show what applies.
  useEffect(() => {
    setDraft({
      actor: value.actor ?? '',
      action: value.action ?? '',
      tenantId: value.tenantId ?? null,
      outcome: value.outcome ?? null,
      from: toLocalInput(value.from),
      to: toLocalInput(value.to),
    });
  }, [value.actor, value.action, value.tenantId, value.outcome, value.from, value.to]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const f: Filters = {};
    if (draft.actor.trim()) f.actor = draft.actor.trim();
    if (draft.action.trim()) f.action = draft.action.trim();
    if (draft.tenantId) f.tenantId = draft.tenantId;
    if (draft.outcome) f.outcome = draft.outcome;
    const from = fromLocalInput(draft.from);
    const to = fromLocalInput(draft.to);
    if (from) f.from = from;
    if (to) f.to = to;
    onApply(f);
  };
  const active = Object.keys(value).length > 0;

  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="form"
      onSubmit={apply}
      aria-label="Audit log filters"
      role="search"
    >
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
        <TextInput
          label="Action"
          placeholder="e.g. token.create"
          value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })}
        />
        <TextInput
          label="Actor"
          placeholder="operator:<id>, token:<id>, system:<service>"
          value={draft.actor}
          onChange={(e) => setDraft({ ...draft, actor: e.currentTarget.value })}
        />
        <TenantPicker
          label="Tenant"
          clearable
          value={draft.tenantId}
          onChange={(v) => setDraft({ ...draft, tenantId: v })}
        />
        <Select
          label="Outcome"
          placeholder="Any outcome"
          clearable
          data={[
            { value: 'success', label: 'Success' },
            { value: 'denied', label: 'Denied (401/403)' },
            { value: 'failed', label: 'Failed' },
          ]}
          value={draft.outcome}
          onChange={(v) => setDraft({ ...draft, outcome: v })}
        />
        <TextInput
          label="From"
          type="datetime-local"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
        />
        <TextInput
          label="To"
          type="datetime-local"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
        />
      </SimpleGrid>
      <Group justify="space-between" mt="md" wrap="wrap">
        <Select
          aria-label="Quick time range"
          placeholder="Quick time range"
          w={200}
          data={quickRanges}
          value={null}
          onChange={(v) => {
            if (!v) return;
            setDraft({
              ...draft,
              from: toLocalInput(new Date(Date.now() - Number(v) * 3_600_000).toISOString()),
              to: '',
            });
          }}
        />
        <Group gap="sm">
          {active ? (
            <Button
              variant="default"
              leftSection={<IconX size={16} aria-hidden />}
              onClick={() => onApply({})}
            >
              Clear filters
            </Button>
          ) : null}
          <Button type="submit" leftSection={<IconFilter size={16} aria-hidden />}>
            Apply filters
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
