import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, isProblem, unwrap } from '../api.ts';
import { ProblemAlert } from '../components/problem-alert.tsx';
import { useTitle } from '../components/use-title.ts';
import { useSchemaForm } from '../forms.ts';

/** Where to go after logging in: a page of this app only, never another site. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
  useTitle('Log in');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const form = useSchemaForm('post', '/api/v1/auth/login', { email: '', password: '' });
  const expired = params.get('expired') === '1';
  const locked = isProblem(form.problem, 429);

  return (
    <Center mih="100vh" className="ocp-main" component="main">
      <Paper w={400} p="xl" shadow="sm">
        <form
          noValidate
          onSubmit={form.onSubmit(async (body) => {
            await unwrap(api.POST('/api/v1/auth/login', { body }));
            qc.clear();
            await navigate(safeNext(params.get('next')), { replace: true });
          })}
        >
          <Stack>
            <Stack gap={4}>
              <Title order={1} size="h2">
                Odoo control plane
              </Title>
              <Text c="dimmed" size="sm">
                Log in with your operator account.
              </Text>
            </Stack>
            {expired && !form.problem && (
              <Alert color="blue" variant="light">
                Your session ended. Log in again to continue.
              </Alert>
            )}
            {locked ? (
              <Alert
                color="orange"
                variant="light"
                icon={<IconLock aria-hidden />}
                title="Too many attempts"
                role="alert"
              >
                Logging in is locked for a while after repeated failures.{' '}
                {isProblem(form.problem) ? form.problem.problem.detail : ''}
              </Alert>
            ) : (
              <ProblemAlert
                error={form.problem}
                {...(isProblem(form.problem, 401) ? { title: 'Wrong email or password' } : {})}
              />
            )}
            <TextInput label="Email" type="email" autoComplete="username" required {...form.text('email')} />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.text('password')}
            />
            <Button type="submit" loading={form.submitting} fullWidth>
              Log in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
