import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { api, isProblem, type Schemas, unwrap } from '../../api.ts';
import { formatDate } from '../../format.ts';
import {
  type BodyOf,
  type FieldErrors,
  ProblemAlert,
  problemField,
  requestSchema,
  validateBody,
} from '../../forms.ts';
import { formColors } from '../admin-kit/page.tsx';

type TrialBody = BodyOf<'put', '/api/v1/tenants/{tenant}/trial'>;
const DAY = 86_400_000;

/** `2026-12-31` → the end of that day in UTC: the trial runs through its last day. */
function endOfDay(date: string): string | undefined {
  const start = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(start) ? undefined : new Date(start + DAY).toISOString();
}

/** The last day of a trial that ends at `iso` (the day before, when it ends at a midnight). */
function lastDay(iso: string): string {
  const t = Date.parse(iso);
  return new Date(t - 1).toISOString().slice(0, 10);
}

/** Starts a trial or moves its end: the tenant is suspended for `trial` at the end unless it pays. */
export function TrialModal(props: {
  tenant: Schemas['Tenant'];
  trial: { endsAt: string; state: string } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const running = props.trial?.state === 'running';
  const schema = useMemo(() => requestSchema('put', '/api/v1/tenants/{tenant}/trial'), []);
  const [date, setDate] = useState(() =>
    props.trial && running
      ? lastDay(new Date(Date.parse(props.trial.endsAt) + 7 * DAY).toISOString())
      : new Date(Date.now() + 14 * DAY).toISOString().slice(0, 10),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: TrialBody) =>
      unwrap(
        api.PUT('/api/v1/tenants/{tenant}/trial', { params: { path: { tenant: props.tenant.id } }, body }),
      ),
    onSuccess: props.onSaved,
    onError: (e) => {
      const field = isProblem(e) ? problemField(e.problem) : undefined;
      if (field && isProblem(e)) setErrors({ [field]: e.problem.detail ?? e.problem.title });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const endsAt = endOfDay(date);
    const body = endsAt ? { endsAt } : {};
    const found = validateBody(schema, body);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(body as TrialBody);
  };
  const fieldProblem =
    save.error && !(isProblem(save.error) && problemField(save.error.problem)) ? save.error : null;
  const title = running
    ? `Extend the trial of ${props.tenant.slug}`
    : `Start a trial for ${props.tenant.slug}`;
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={props.onClose} title={title}>
      <form noValidate style={formColors} onSubmit={submit} aria-label={title}>
        <Stack gap="md">
          <ProblemAlert error={fieldProblem ?? errors[''] ?? undefined} />
          {running && props.trial ? (
            <Text size="sm">It ends now on {formatDate(props.trial.endsAt)}.</Text>
          ) : null}
          <TextInput
            type="date"
            label="Last day of the trial"
            description="The trial ends at the end of this day (UTC); the tenant is then suspended for trial unless its subscription is active."
            required
            value={date}
            onChange={(e) => setDate(e.currentTarget.value)}
            error={errors.endsAt}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {running ? 'Extend trial' : 'Start trial'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
