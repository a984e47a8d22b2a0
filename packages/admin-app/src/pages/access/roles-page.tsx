import {
  Badge,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan, useMe } from '../../session.tsx';
import { groupPermissions, type Role, roleInfo } from '../admin-kit/access-model.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { RoleBadge } from './operators-page.tsx';

type RoleTable = Awaited<ReturnType<typeof fetchRoles>>;

const fetchRoles = () => unwrap(api.GET('/api/v1/roles'));

/** The table never changes while a gateway runs: read once per visit. */
function useRoleTable() {
  return useQuery({ queryKey: ['roles'], queryFn: fetchRoles, staleTime: Number.POSITIVE_INFINITY });
}

/** How many accounts hold each role, from the first 200 accounts. */
function useRoleCounts(enabled: boolean) {
  return useQuery({
    queryKey: ['operators', 'role-counts'],
    enabled,
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/operators', { params: { query: { limit: 200 } } }));
      const counts = new Map<Role, number>();
      for (const o of page.items) counts.set(o.role, (counts.get(o.role) ?? 0) + 1);
      return { counts, more: page.nextCursor !== null };
    },
  });
}

/** Headings of the permission groups, by the resource a permission names before its colon. */
const areaLabel: Record<string, string> = {
  self: 'Own account',
  tenants: 'Tenants',
  operations: 'Operations',
  operators: 'Operators',
  tokens: 'API tokens',
  audit: 'Audit log',
  backups: 'Backups',
  billing: 'Billing',
  quotas: 'Quotas',
  modules: 'Odoo modules',
  runtimes: 'Runtimes and database servers',
};
const labelOf = (area: string) => areaLabel[area] ?? area[0]!.toUpperCase() + area.slice(1);

function RoleCards({ table, myRole }: { table: RoleTable; myRole: Role | undefined }) {
  const can = useCan();
  const counts = useRoleCounts(can('operators:read'));
  return (
    <>
      <ProblemAlert error={counts.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {table.roles.map((r) => {
          const n = counts.data?.counts.get(r.name) ?? 0;
          return (
            <Card
              key={r.name}
              withBorder
              radius="md"
              padding="lg"
              component="section"
              aria-labelledby={`role-${r.name}`}
            >
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h4" id={`role-${r.name}`}>
                  {roleInfo[r.name].label}
                </Title>
                {r.name === myRole ? <Badge variant="filled">Your role</Badge> : null}
              </Group>
              <Text size="sm">
                {r.description[0]!.toUpperCase()}
                {r.description.slice(1)}.
              </Text>
              <Text size="xs" c="dimmed" mt="sm">
                {r.permissions.length} of {table.permissions.length} permissions
                {counts.data ? ` · ${n} ${n === 1 ? 'account' : 'accounts'}` : ''}
                {counts.data?.more ? ' among the newest 200' : ''}
              </Text>
            </Card>
          );
        })}
      </SimpleGrid>
    </>
  );
}

/** Every permission as a row, grouped by resource, with a column per role: exactly the gateway's table. */
function PermissionMatrix({ table, myRole }: { table: RoleTable; myRole: Role | undefined }) {
  const held = new Map(table.roles.map((r) => [r.name, new Set<string>(r.permissions)]));
  const byName = new Map(table.permissions.map((p) => [p.name, p]));
  const groups = groupPermissions(table.permissions.map((p) => p.name));
  const columns = table.roles.length + 2;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" withTableBorder aria-label="Permissions by role">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Permission</Table.Th>
            <Table.Th scope="col">Allows</Table.Th>
            {table.roles.map((r) => (
              <Table.Th
                key={r.name}
                scope="col"
                ta="center"
                bg={r.name === myRole ? 'var(--mantine-color-default-hover)' : undefined}
              >
                {roleInfo[r.name].label}
                {r.name === myRole ? <VisuallyHidden> (your role)</VisuallyHidden> : null}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        {groups.map(([area, perms]) => (
          <Table.Tbody key={area}>
            <Table.Tr>
              <Table.Th scope="colgroup" colSpan={columns} bg="var(--mantine-color-default-hover)">
                {labelOf(area)}
              </Table.Th>
            </Table.Tr>
            {perms.map((name) => {
              const p = byName.get(name)!;
              return (
                <Table.Tr key={name}>
                  <Table.Th scope="row" fw={400}>
                    <Group gap={6} wrap="nowrap">
                      <code>{name}</code>
                      {p.global ? (
                        <Badge
                          size="xs"
                          variant="outline"
                          color="gray.8"
                          title="Never held by an account limited to tenants"
                        >
                          platform-wide
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm">{p.description}</Text>
                  </Table.Td>
                  {table.roles.map((r) => {
                    const has = held.get(r.name)?.has(name) ?? false;
                    return (
                      <Table.Td key={r.name} ta="center">
                        {has ? (
                          <IconCheck size={18} stroke={2} aria-hidden />
                        ) : (
                          <Text span c="dimmed" aria-hidden>
                            –
                          </Text>
                        )}
                        <VisuallyHidden>{has ? 'held' : 'not held'}</VisuallyHidden>
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        ))}
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * The five fixed roles and exactly what each holds, as the gateway's permission table answers it
 * (`GET /api/v1/roles`); the caller's own role and tenant limit beside them.
 */
export default function RolesPage() {
  const me = useMe();
  const table = useRoleTable();
  const myRole = me.data?.operator.role;

  return (
    <AdminPage
      title="Roles"
      description="Roles are fixed: every account holds exactly one, optionally limited to some tenants. An account limited to tenants never holds the platform-wide permissions, whatever its role."
    >
      <ProblemAlert error={table.error} />
      {table.data ? (
        <Stack gap="lg">
          <RoleCards table={table.data} myRole={myRole} />
          <Stack gap="xs">
            <Group gap="sm">
              <Title order={2} size="h4">
                Permissions by role
              </Title>
              {myRole ? <RoleBadge role={myRole} /> : null}
              {me.data?.tenantScope ? (
                <Text size="sm" c="dimmed">
                  you are limited to {me.data.tenantScope.length} tenants, so you hold no platform-wide
                  permission
                </Text>
              ) : null}
            </Group>
            <Text size="sm" c="dimmed">
              The table the gateway decides every request by. An API token holds only those of its scopes that
              its account’s role holds at the time of the request.
            </Text>
            <PermissionMatrix table={table.data} myRole={myRole} />
          </Stack>
        </Stack>
      ) : table.isPending ? (
        <Skeleton height={240} radius="md" aria-label="Loading roles" role="status" />
      ) : null}
    </AdminPage>
  );
}
