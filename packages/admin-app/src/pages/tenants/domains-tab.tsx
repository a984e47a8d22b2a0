import {
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { StateBadge } from '../../components/state-badge.tsx';
import { formatDate } from '../../format.ts';
import { useCan } from '../../session.tsx';
import { ConfirmModal } from '../admin-kit/confirm.tsx';
import { EmptyRow } from '../admin-kit/empty-row.tsx';

type Tenant = Schemas['Tenant'];
type Domain = Schemas['TenantDomain'];

function Copyable({ value, label }: { value: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Code style={{ wordBreak: 'break-all' }}>{value}</Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy the ${label}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/**
 * A tenant's custom domains: claim one, create the TXT record it shows at the domain's DNS
 * provider, verify; a verified domain routes to the tenant. The API checks every rule and says
 * which one a name breaks.
 */
export function DomainsTab({ tenant }: { tenant: Tenant }) {
  const can = useCan();
  const writable = can('tenants:write') && tenant.state !== 'deleting' && tenant.state !== 'deleted';
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [removing, setRemoving] = useState<Domain>();
  const [removeError, setRemoveError] = useState<unknown>();
  const domains = useQuery({
    queryKey: ['domains', tenant.id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/tenants/{tenant}/domains', { params: { path: { tenant: tenant.id } } })),
  });
  const run = (key: string, call: () => Promise<unknown>) => {
    setBusy(key);
    setError(undefined);
    call()
      .then(() => domains.refetch())
      .catch(setError)
      .finally(() => setBusy(undefined));
  };
  const claim = () =>
    run('claim', async () => {
      await unwrap(
        api.POST('/api/v1/tenants/{tenant}/domains', {
          params: { path: { tenant: tenant.id } },
          body: { domain: name.trim() },
        }),
      );
      setName('');
    });
  const verify = (d: Domain) =>
    run(`verify:${d.domain}`, () =>
      unwrap(
        api.POST('/api/v1/tenants/{tenant}/domains/{domain}/verify', {
          params: { path: { tenant: tenant.id, domain: d.domain } },
        }),
      ),
    );
  const remove = (d: Domain) => {
    setBusy(`remove:${d.domain}`);
    setRemoveError(undefined);
    unwrap(
      api.DELETE('/api/v1/tenants/{tenant}/domains/{domain}', {
        params: { path: { tenant: tenant.id, domain: d.domain } },
      }),
    )
      .then(() => {
        setRemoving(undefined);
        return domains.refetch();
      })
      .catch(setRemoveError)
      .finally(() => setBusy(undefined));
  };

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        A custom domain routes to the tenant once verified: create the TXT record shown at the domain's DNS
        provider, then verify. Point the domain itself (A or CNAME) at the platform too.
      </Text>
      {writable && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) claim();
          }}
        >
          <Group align="flex-end">
            <TextInput
              label="Domain"
              placeholder="erp.example.com"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={320}
            />
            <Button type="submit" loading={busy === 'claim'} disabled={!name.trim()}>
              Add domain
            </Button>
          </Group>
        </form>
      )}
      <ProblemAlert error={error} />
      <ProblemAlert error={domains.error} />
      {domains.isPending && <Skeleton height={80} />}
      {domains.data && (
        <Paper p={0}>
          <Table aria-label="Custom domains">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Domain</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>TXT record</Table.Th>
                {writable && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {domains.data.items.map((d) => (
                <Table.Tr key={d.domain}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {d.domain}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <span title={d.verifiedAt ? `Verified ${formatDate(d.verifiedAt)}` : undefined}>
                      <StateBadge state={d.state} size="sm" />
                    </span>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Copyable value={d.challenge.name} label={`record name of ${d.domain}`} />
                      <Copyable value={d.challenge.value} label={`record value of ${d.domain}`} />
                    </Stack>
                  </Table.Td>
                  {writable && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        {d.state === 'pending' && (
                          <Button
                            size="xs"
                            variant="default"
                            loading={busy === `verify:${d.domain}`}
                            onClick={() => verify(d)}
                            aria-label={`Verify ${d.domain}`}
                          >
                            Verify
                          </Button>
                        )}
                        <Button
                          size="xs"
                          variant="default"
                          c="var(--mantine-color-error)"
                          onClick={() => {
                            setRemoveError(undefined);
                            setRemoving(d);
                          }}
                          aria-label={`Remove ${d.domain}`}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
              {domains.data.items.length === 0 && (
                <EmptyRow colSpan={writable ? 4 : 3}>No custom domain yet.</EmptyRow>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <ConfirmModal
        opened={removing !== undefined}
        title="Remove the domain"
        confirmLabel="Remove"
        danger
        pending={busy === `remove:${removing?.domain}`}
        error={removeError}
        onConfirm={() => removing && remove(removing)}
        onClose={() => setRemoving(undefined)}
      >
        {removing?.verifiedAt ? (
          <>
            <b>{removing.domain}</b> routes to this tenant now: once removed it no longer does, and any tenant
            may claim it.
          </>
        ) : (
          <>
            Remove the claim of <b>{removing?.domain}</b>? A new claim has a new TXT record.
          </>
        )}
      </ConfirmModal>
    </Stack>
  );
}
