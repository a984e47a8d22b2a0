import { Button, Group, Modal, Select, SimpleGrid, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { api, isProblem, type Schemas, unwrap } from '../../api.ts';
import {
  type BodyOf,
  type FieldErrors,
  ProblemAlert,
  problemField,
  requestSchema,
  validateBody,
} from '../../forms.ts';
import { formColors } from '../admin-kit/page.tsx';
import {
  limitFromInput,
  limitToInput,
  type Metric,
  metricInfo,
  metrics,
} from '../admin-kit/quota-figures.ts';
import type { Quota } from './usage-tab.tsx';

type OverrideBody = BodyOf<'put', '/api/v1/tenants/{tenant}/quota/override'>;

/** How a limit of the override is set: the plan's, none, or a figure of its own. */
type Mode = 'plan' | 'unlimited' | 'custom';
type ModuleMode = 'plan' | 'any' | 'list';

/**
 * The tenant's own limits on top of its plan's: each figure follows the plan, is unlimited, or has
 * a limit of its own; the allowed modules likewise. Removing the override returns to the plan.
 */
export function OverrideModal(props: {
  tenant: Schemas['Tenant'];
  quota: Quota;
  onClose: () => void;
  onSaved: () => void;
}) {
  const current = props.quota.override;
  const schema = useMemo(() => requestSchema('put', '/api/v1/tenants/{tenant}/quota/override'), []);
  const [modes, setModes] = useState<Record<Metric, Mode>>(
    () =>
      Object.fromEntries(
        metrics.map((m) => {
          const limits = current?.limits as Partial<Record<Metric, number | null>> | undefined;
          const mode: Mode = !limits || !(m in limits) ? 'plan' : limits[m] === null ? 'unlimited' : 'custom';
          return [m, mode];
        }),
      ) as Record<Metric, Mode>,
  );
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      metrics.map((m) => [
        m,
        limitToInput(m, (current?.limits as Partial<Record<Metric, number | null>> | undefined)?.[m]),
      ]),
    ),
  );
  const [moduleMode, setModuleMode] = useState<ModuleMode>(
    !current || current.allowedModules === undefined
      ? 'plan'
      : current.allowedModules === null
        ? 'any'
        : 'list',
  );
  const [modules, setModules] = useState<string[]>(current?.allowedModules ?? []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const onError = (e: unknown) => {
    const field = isProblem(e) ? problemField(e.problem) : undefined;
    if (field && isProblem(e)) setErrors({ [field]: e.problem.detail ?? e.problem.title });
  };
  const path = { params: { path: { tenant: props.tenant.id } } };
  const save = useMutation({
    mutationFn: (body: OverrideBody) =>
      unwrap(api.PUT('/api/v1/tenants/{tenant}/quota/override', { ...path, body })),
    onSuccess: props.onSaved,
    onError,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/tenants/{tenant}/quota/override', path)),
    onSuccess: props.onSaved,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const limits: Record<string, unknown> = {};
    for (const m of metrics)
      if (modes[m] === 'unlimited') limits[m] = null;
      else if (modes[m] === 'custom') limits[m] = limitFromInput(m, texts[m] ?? '') ?? '';
    const body: Record<string, unknown> = { limits };
    if (moduleMode === 'any') body.allowedModules = null;
    if (moduleMode === 'list') body.allowedModules = modules;
    const found = validateBody(schema, body);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(body as OverrideBody);
  };
  const error = save.error ?? remove.error;
  const fieldProblem = error && !(isProblem(error) && problemField(error.problem)) ? error : null;
  const title = `Override the limits of ${props.tenant.slug}`;
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={props.onClose}
      title={title}
      size="xl"
    >
      <form noValidate style={formColors} onSubmit={submit} aria-label={title}>
        <Stack gap="md">
          <ProblemAlert error={fieldProblem ?? errors[''] ?? undefined} />
          <Text size="sm">
            Limits of this tenant alone, on top of its plan {props.quota.plan}. They apply at once, and stay
            when the tenant changes plan until removed.
          </Text>
          {metrics.map((m) => (
            <SimpleGrid key={m} cols={{ base: 1, sm: 2 }} spacing="sm">
              <Select
                label={metricInfo[m].label}
                allowDeselect={false}
                data={[
                  { value: 'plan', label: 'As the plan says' },
                  { value: 'unlimited', label: 'Unlimited' },
                  { value: 'custom', label: 'A limit of its own' },
                ]}
                value={modes[m]}
                onChange={(v) => v && setModes((s) => ({ ...s, [m]: v as Mode }))}
              />
              {modes[m] === 'custom' ? (
                <TextInput
                  label={`${metricInfo[m].label} limit${metricInfo[m].bytes ? ' (MB)' : ''}`}
                  inputMode="decimal"
                  required
                  value={texts[m] ?? ''}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    setTexts((t) => ({ ...t, [m]: value }));
                  }}
                  error={errors[`limits.${m}`]}
                />
              ) : (
                <div />
              )}
            </SimpleGrid>
          ))}
          <Select
            label="Allowed modules"
            allowDeselect={false}
            data={[
              { value: 'plan', label: 'As the plan says' },
              { value: 'any', label: 'Any module' },
              { value: 'list', label: 'These modules' },
            ]}
            value={moduleMode}
            onChange={(v) => v && setModuleMode(v as ModuleMode)}
          />
          {moduleMode === 'list' && (
            <TagsInput
              label="Modules this tenant may install"
              description="Technical names; press Enter after each"
              value={modules}
              onChange={setModules}
              error={errors.allowedModules}
              clearable
            />
          )}
          <Group justify="space-between">
            {current ? (
              <Button
                variant="default"
                c="var(--mantine-color-error)"
                loading={remove.isPending}
                onClick={() => remove.mutate()}
              >
                Remove override
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={props.onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Save override
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
