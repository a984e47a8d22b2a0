import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api.ts';
import { ProblemAlert } from '../../forms.ts';
import { useCan, useMe } from '../../session.tsx';
import {
  groupPermissions,
  type Permission,
  permissionInfo,
  type Role,
  roleInfo,
  roles,
} from '../admin-kit/access-model.ts';
import { AdminPage } from '../admin-kit/page.tsx';
import { RoleBadge } from './operators-page.tsx';

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

/**
 * The five fixed roles. The API answers no role's permissions (only the caller's, through
 * `GET /api/v1/me`), so each role is described in words and the caller's own permissions are listed
 * exactly as the API reports them.
 */
export default function RolesPage() {
  const can = useCan();
  const me = useMe();
  const counts = useRoleCounts(can('operators:read'));
  const mine = (me.data?.permissions ?? []) as Permission[];
  const myRole = me.data?.operator.role;

  return (
    <AdminPage
      title="Roles"
      description="Roles are fixed: every account holds exactly one, optionally limited to some tenants. An account limited to tenants never holds platform-wide permissions (operators, runtimes, creating tenants, verifying the audit log)."
    >
      <ProblemAlert error={counts.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {roles.map((r) => {
          const n = counts.data?.counts.get(r) ?? 0;
          return (
            <Card
              key={r}
              withBorder
              radius="md"
              padding="lg"
              component="section"
              aria-labelledby={`role-${r}`}
            >
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h4" id={`role-${r}`}>
                  {roleInfo[r].label}
                </Title>
                {r === myRole ? <Badge variant="filled">Your role</Badge> : null}
              </Group>
              <Text size="sm">{roleInfo[r].summary}</Text>
              {counts.data ? (
                <Text size="xs" c="dimmed" mt="sm">
                  {n} {n === 1 ? 'account' : 'accounts'}
                  {counts.data.more ? ' among the newest 200' : ''}
                </Text>
              ) : null}
            </Card>
          );
        })}
      </SimpleGrid>
      {myRole ? (
        <Stack gap="xs" mt="md">
          <Group gap="sm">
            <Title order={2} size="h4">
              What you hold
            </Title>
            <RoleBadge role={myRole} />
            {me.data?.tenantScope ? (
              <Text size="sm" c="dimmed">
                limited to {me.data.tenantScope.length} tenants
              </Text>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            As the API reports them for this session. An API token holds only those of its scopes that its
            account’s role holds at the time of the request.
          </Text>
          <Table.ScrollContainer minWidth={600}>
            <Table verticalSpacing="xs" withTableBorder aria-label="Your permissions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Area</Table.Th>
                  <Table.Th scope="col">Permission</Table.Th>
                  <Table.Th scope="col">Allows</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {groupPermissions(mine).flatMap(([area, perms]) =>
                  perms.map((p, i) => (
                    <Table.Tr key={p}>
                      {i === 0 ? (
                        <Table.Th
                          scope="row"
                          rowSpan={perms.length}
                          fw={600}
                          style={{ textTransform: 'capitalize' }}
                        >
                          {area}
                        </Table.Th>
                      ) : null}
                      <Table.Td>
                        <code>{p}</code>
                      </Table.Td>
                      <Table.Td>{permissionInfo[p] ?? ''}</Table.Td>
                    </Table.Tr>
                  )),
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      ) : null}
    </AdminPage>
  );
}
