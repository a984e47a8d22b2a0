import { Skeleton, Stack } from '@mantine/core';

/** What a page shows while its code loads: the shape of a title and a panel, announced as loading. */
export function PageSkeleton() {
  return (
    <Stack gap="lg" role="status" aria-label="Loading the page">
      <Skeleton height={36} width={280} />
      <Skeleton height={120} />
      <Skeleton height={240} />
    </Stack>
  );
}
