import { Group, Stack, Text, Title } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

/** The head of an administration screen: its title, what it is for, and its main actions. */
export function AdminPage(props: {
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Stack gap="lg" p={{ base: 'md', md: 'xl' }} maw={1400}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
        <div>
          <Title order={1} size="h2">
            {props.title}
          </Title>
          <Text c="dimmed" size="sm" mt={4} maw={720}>
            {props.description}
          </Text>
        </div>
        {props.actions ? <Group gap="sm">{props.actions}</Group> : null}
      </Group>
      {props.children}
    </Stack>
  );
}

/**
 * Mantine's error red (red.6) is below AA contrast on white for the small text of a field's error:
 * the forms of these screens use red.9 until the app's theme does.
 */
export const formColors = { '--mantine-color-error': 'var(--mantine-color-red-9)' } as CSSProperties;
