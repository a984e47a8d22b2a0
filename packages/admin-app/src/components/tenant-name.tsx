import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { TenantNames } from '../pages/admin-kit/tenant-names.ts';

/**
 * A tenant named by id in a table cell: its slug (the start of its id until known), its display
 * name as the title, "deleted" beside a deleted one; with `link`, to the tenant's page.
 */
export function TenantName({ id, names, link = false }: { id: string; names: TenantNames; link?: boolean }) {
  const tenant = names.of(id);
  const title = tenant ? tenant.displayName : id;
  const slug = names.slugOf(id);
  const deleted =
    tenant?.state === 'deleted' ? (
      <Text span size="xs" c="dimmed">
        {' '}
        (deleted)
      </Text>
    ) : null;
  return link ? (
    <Text size="sm">
      <Anchor component={Link} to={`/tenants/${id}`} size="sm" title={title}>
        {slug}
      </Anchor>
      {deleted}
    </Text>
  ) : (
    <Text size="sm" title={title}>
      {slug}
      {deleted}
    </Text>
  );
}
