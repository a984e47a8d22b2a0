import { Alert, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiProblemError } from '../api.ts';

/** What went wrong, as a title and a sentence the user can act on. */
export function describeError(error: unknown): { title: string; detail: string; requestId?: string } {
  if (error instanceof ApiProblemError) {
    const { problem } = error;
    if (problem.code === 'NO_RUNTIME')
      return {
        title: 'No Odoo runtime serves this tenant',
        detail: `${problem.detail} Register a runtime (Platform → Runtimes) and move the tenant to it first.`,
      };
    const requestId = typeof problem.requestId === 'string' ? problem.requestId : undefined;
    return { title: problem.title, detail: problem.detail, ...(requestId ? { requestId } : {}) };
  }
  if (error instanceof Error) return { title: 'Something went wrong', detail: error.message };
  return { title: 'Something went wrong', detail: String(error) };
}

/** An API refusal (or any error) shown above a form or a panel; nothing when there is none. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const d = describeError(error);
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={title ?? d.title}
      role="alert"
    >
      <Text size="sm">{d.detail}</Text>
      {d.requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          Request {d.requestId}
        </Text>
      )}
    </Alert>
  );
}
