import {
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
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
import { limitFromInput, limitToInput, metricInfo, metrics } from '../admin-kit/quota-figures.ts';

type PlanBody = BodyOf<'put', '/api/v1/plans/{plan}'>;
/** A plan of the catalog, as the API answers it. */
export type Plan = Schemas['QuotaPlan'];

/** The plan name tenants carry (tenant.v1's `plan`): the path names it, so the body's schema does not. */
const planName = /^[a-z][a-z0-9-]{0,31}$/;
const planNameWords =
  'A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.';

type Provider = 'none' | 'stripe' | 'paddle';

/** The form's text: every limit, list and setting as the inputs hold it. */
interface Values {
  name: string;
  displayName: string;
  odooVersion: string;
  limits: Record<string, string>;
  anyModule: boolean;
  allowedModules: string[];
  defaultModules: string[];
  trialDays: string;
  action: 'block' | 'suspend';
  graceHours: string;
  provider: Provider;
  meter: string;
}

function valuesOf(plan: Plan | null): Values {
  return {
    name: plan?.name ?? '',
    displayName: plan?.displayName ?? '',
    odooVersion: plan?.odooVersion ?? '',
    limits: Object.fromEntries(metrics.map((m) => [m, limitToInput(m, plan?.limits[m])])),
    anyModule: plan ? plan.allowedModules === null : true,
    allowedModules: plan?.allowedModules ?? [],
    defaultModules: plan?.defaultModules ?? [],
    trialDays: plan?.trialDays ? String(plan.trialDays) : '',
    action: plan?.atLimit.action ?? 'block',
    graceHours: plan ? String(Math.round((plan.atLimit.graceSeconds / 3600) * 100) / 100) : '24',
    provider: (plan?.metered?.provider ?? 'none') as Provider,
    meter:
      plan?.metered && 'meterEventName' in plan.metered
        ? plan.metered.meterEventName
        : plan?.metered && 'priceId' in plan.metered
          ? plan.metered.priceId
          : '',
  };
}

/** A number typed in text, or the text itself so that the schema refuses it in its own words. */
function numberOr(text: string): number | string {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** The request body the values make, in the API's units (bytes, seconds). */
function bodyOf(v: Values, force: boolean): Record<string, unknown> {
  const grace = numberOr(v.graceHours);
  return {
    displayName: v.displayName.trim(),
    odooVersion: v.odooVersion.trim() === '' ? null : v.odooVersion.trim(),
    limits: Object.fromEntries(metrics.map((m) => [m, limitFromInput(m, v.limits[m] ?? '')])),
    allowedModules: v.anyModule ? null : v.allowedModules,
    defaultModules: v.defaultModules,
    trialDays: v.trialDays.trim() === '' ? null : numberOr(v.trialDays),
    atLimit: {
      action: v.action,
      graceSeconds: typeof grace === 'number' ? Math.round(grace * 3600) : grace,
    },
    metered:
      v.provider === 'stripe'
        ? { provider: 'stripe', meterEventName: v.meter.trim() }
        : v.provider === 'paddle'
          ? { provider: 'paddle', priceId: v.meter.trim() }
          : null,
    ...(force ? { force: true } : {}),
  };
}

/**
 * Creates a plan, or changes one (its name stays). Checked against the API's own request schema
 * before it is sent; the quota service then checks what only it knows (module names of the plan's
 * Odoo version, a limit below a tenant's current usage), and its refusal shows next to the field.
 */
export function PlanFormModal(props: { plan: Plan | null; opened: boolean; onClose: () => void }) {
  const { plan } = props;
  const client = useQueryClient();
  const schema = useMemo(() => requestSchema('put', '/api/v1/plans/{plan}'), []);
  const [values, setValues] = useState<Values>(() => valuesOf(plan));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [belowUsage, setBelowUsage] = useState(false);
  const [force, setForce] = useState(false);
  const save = useMutation({
    mutationFn: (body: PlanBody) =>
      unwrap(api.PUT('/api/v1/plans/{plan}', { params: { path: { plan: values.name.trim() } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['plans'] });
      props.onClose();
    },
    onError: (e) => {
      if (isProblem(e) && e.problem.code === 'PLAN_LIMIT_BELOW_USAGE') setBelowUsage(true);
      const field = isProblem(e) ? problemField(e.problem) : undefined;
      if (field && isProblem(e)) setErrors({ [field]: e.problem.detail ?? e.problem.title });
    },
  });
  const set = (patch: Partial<Values>) => {
    setValues((v) => ({ ...v, ...patch }));
    save.reset();
  };
  const setLimit = (metric: string, text: string) => {
    setValues((v) => ({ ...v, limits: { ...v.limits, [metric]: text } }));
    setErrors(({ [`limits.${metric}`]: _gone, ...rest }) => rest);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = bodyOf(values, force);
    const found = validateBody(schema, body);
    if (!planName.test(values.name.trim())) found.name = values.name.trim() ? planNameWords : 'Required.';
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(body as PlanBody);
  };
  const fieldProblem =
    save.error && !(isProblem(save.error) && problemField(save.error.problem)) ? save.error : null;
  const title = plan ? `Change plan ${plan.displayName}` : 'New plan';

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={props.opened}
      onClose={props.onClose}
      title={title}
      size="xl"
    >
      <form noValidate style={formColors} onSubmit={submit} aria-label={title}>
        <Stack gap="md">
          <ProblemAlert error={fieldProblem ?? errors[''] ?? undefined} />
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
            <TextInput
              label="Name"
              required
              disabled={plan !== null}
              description="What tenants carry as their plan, e.g. pro"
              value={values.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
              error={errors.name}
            />
            <TextInput
              label="Display name"
              required
              value={values.displayName}
              onChange={(e) => set({ displayName: e.currentTarget.value })}
              error={errors.displayName}
            />
            <TextInput
              label="Odoo version"
              description="Module names are checked against it, e.g. 18.0"
              value={values.odooVersion}
              onChange={(e) => set({ odooVersion: e.currentTarget.value })}
              error={errors.odooVersion}
            />
          </SimpleGrid>

          <Fieldset legend="Limits (empty: unlimited)">
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
              {metrics.map((m) => (
                <TextInput
                  key={m}
                  label={`${metricInfo[m].label}${metricInfo[m].bytes ? ' (MB)' : ''}`}
                  inputMode="decimal"
                  placeholder="Unlimited"
                  value={values.limits[m] ?? ''}
                  onChange={(e) => setLimit(m, e.currentTarget.value)}
                  error={errors[`limits.${m}`]}
                />
              ))}
            </SimpleGrid>
          </Fieldset>

          <Fieldset legend="Odoo modules">
            <Stack gap="sm">
              <Checkbox
                label="Any module may be installed"
                checked={values.anyModule}
                onChange={(e) => set({ anyModule: e.currentTarget.checked })}
              />
              {!values.anyModule && (
                <TagsInput
                  label="Allowed modules"
                  description="Technical names; press Enter after each"
                  value={values.allowedModules}
                  onChange={(allowedModules) => set({ allowedModules })}
                  error={errors.allowedModules}
                  clearable
                />
              )}
              <TagsInput
                label="Installed at creation"
                description="Each one among the allowed modules"
                value={values.defaultModules}
                onChange={(defaultModules) => set({ defaultModules })}
                error={errors.defaultModules}
                clearable
              />
            </Stack>
          </Fieldset>

          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
            <TextInput
              label="Trial (days)"
              inputMode="numeric"
              placeholder="No trial"
              value={values.trialDays}
              onChange={(e) => set({ trialDays: e.currentTarget.value })}
              error={errors.trialDays}
            />
            <Select
              label="Over a limit"
              allowDeselect={false}
              data={[
                { value: 'block', label: 'Refuse module installs' },
                { value: 'suspend', label: 'Suspend after the grace period' },
              ]}
              value={values.action}
              onChange={(v) => v && set({ action: v as Values['action'] })}
              error={errors['atLimit.action']}
            />
            <TextInput
              label="Grace period (hours)"
              inputMode="decimal"
              value={values.graceHours}
              onChange={(e) => set({ graceHours: e.currentTarget.value })}
              error={errors['atLimit.graceSeconds']}
            />
          </SimpleGrid>

          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <Select
              label="Usage-priced"
              description="Active users reported to the provider once per period"
              allowDeselect={false}
              data={[
                { value: 'none', label: 'No' },
                { value: 'stripe', label: 'Stripe meter' },
                { value: 'paddle', label: 'Paddle price' },
              ]}
              value={values.provider}
              onChange={(v) => v && set({ provider: v as Provider })}
            />
            {values.provider !== 'none' && (
              <TextInput
                label={values.provider === 'stripe' ? 'Meter event name' : 'Price id'}
                required
                placeholder={values.provider === 'stripe' ? 'active_users' : 'pri_…'}
                value={values.meter}
                onChange={(e) => set({ meter: e.currentTarget.value })}
                error={errors.metered ?? errors['metered.meterEventName'] ?? errors['metered.priceId']}
              />
            )}
          </SimpleGrid>

          {belowUsage && (
            <Checkbox
              label="Save anyway: the tenants over the new limits are warned and enforced at their next measurement"
              checked={force}
              onChange={(e) => setForce(e.currentTarget.checked)}
            />
          )}
          <Text size="xs" c="dimmed">
            A change applies to every tenant on the plan at once.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {plan ? 'Save plan' : 'Create plan'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
