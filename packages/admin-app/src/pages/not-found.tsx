import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useTitle } from '../components/use-title.ts';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <Stack>
      <Title order={1}>Nothing here</Title>
      <Text>This address is not a page of the control plane.</Text>
      <Anchor component={Link} to="/">
        Back to the overview
      </Anchor>
    </Stack>
  );
}
