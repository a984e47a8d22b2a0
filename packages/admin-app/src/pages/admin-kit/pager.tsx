import { Button, Group, Text } from '@mantine/core';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { useCallback, useState } from 'react';

/**
 * Cursor paging as the admin API gives it (`nextCursor` of the previous page): the cursors of the
 * pages seen so far are kept so that "Previous" goes back without the API paging backwards.
 */
export function useCursorPages(resetKey = '') {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({
    key: resetKey,
    stack: [undefined],
  });
  // New filters start again at the first page.
  const stack = state.key === resetKey ? state.stack : [undefined];
  const cursor = stack[stack.length - 1];
  const next = useCallback(
    (nextCursor: string) => setState({ key: resetKey, stack: [...stack, nextCursor] }),
    [resetKey, stack],
  );
  const previous = useCallback(
    () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
    [resetKey, stack],
  );
  return { cursor, page: stack.length, next, previous, hasPrevious: stack.length > 1 };
}

export function Pager(props: {
  label: string;
  page: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  const { nextCursor } = props;
  if (!props.hasPrevious && !nextCursor) return null;
  return (
    <Group component="nav" aria-label={`${props.label} pages`} justify="space-between" mt="sm">
      <Button
        variant="default"
        leftSection={<IconChevronLeft size={16} aria-hidden />}
        disabled={!props.hasPrevious}
        onClick={props.onPrevious}
      >
        Previous page
      </Button>
      <Text size="sm" c="dimmed" aria-live="polite">
        Page {props.page}
      </Text>
      <Button
        variant="default"
        rightSection={<IconChevronRight size={16} aria-hidden />}
        disabled={!nextCursor}
        onClick={() => nextCursor && props.onNext(nextCursor)}
      >
        Next page
      </Button>
    </Group>
  );
}
