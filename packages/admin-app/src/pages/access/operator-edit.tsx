import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, isProblem, unwrap } from '../../api.ts';
import { TenantMultiPicker } from '../../components/tenant-picker.tsx';
import {
  type BodyOf,
  type FieldErrors,
  ProblemAlert,
  problemField,
  requestSchema,
  validateBody,
} from '../../forms.ts';
import { useCan } from '../../session.tsx';
import { type Role, roleInfo, roles } from '../admin-kit/access-model.ts';
import { formColors } from '../admin-kit/page.tsx';

type Patch = BodyOf<'patch', '/api/v1/operators/{id}'>;

/**
 * Changes an operator's role and tenant scope. Only what changed is sent; clearing the scope sends
 * `tenantIds: null` (every tenant), which the schema form's body builder would leave out.
 */
export function EditOperatorModal(props: {
  operator: {
    id: string;
    email: string | null;
    name: string | null;
    role: Role;
    tenantIds: string[] | null;
  } | null;
  onClose: () => void;
}) {
  const { operator } = props;
  const can = useCan();
  const client = useQueryClient();
  const schema = useMemo(() => requestSchema('patch', '/api/v1/operators/{id}'), []);
  const [role, setRole] = useState<Role>(operator?.role ?? 'viewer');
  const [scope, setScope] = useState<string[]>(operator?.tenantIds ?? []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: Patch) =>
      unwrap(api.PATCH('/api/v1/operators/{id}', { params: { path: { id: operator?.id ?? '' } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['operators'] });
      props.onClose();
    },
    onError: (e) => {
      const field = isProblem(e) ? problemField(e.problem) : undefined;
      if (field && isProblem(e)) setErrors({ [field]: e.problem.detail });
    },
  });
  if (!operator) return null;
  const offered = roles.filter((r) => r !== 'owner' || can('operators:owners'));
  const who = operator.email ?? operator.name ?? operator.id;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (role !== operator.role) body.role = role;
    const before = [...(operator.tenantIds ?? [])].sort().join();
    const after = role === 'owner' ? '' : [...scope].sort().join();
    if (before !== after) body.tenantIds = after ? scope : null;
    if (Object.keys(body).length === 0) return props.onClose();
    const found = validateBody(schema, body);
    setErrors(found);
    if (Object.keys(found).length === 0) save.mutate(body as Patch);
  };

  const fieldProblem =
    save.error && !(isProblem(save.error) && problemField(save.error.problem)) ? save.error : null;
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={props.onClose}
      title={`Change ${who}`}
      size="lg"
    >
      <form noValidate style={formColors} onSubmit={submit} aria-label={`Change role and tenants of ${who}`}>
        <Stack gap="md">
          <ProblemAlert error={fieldProblem ?? errors[''] ?? undefined} />
          <Select
            label="Role"
            allowDeselect={false}
            data={offered.map((r) => ({ value: r, label: roleInfo[r].label }))}
            value={role}
            onChange={(v) => v && setRole(v as Role)}
            description={roleInfo[role].summary}
            error={errors.role}
          />
          <TenantMultiPicker
            label="Limit to tenants"
            description={role === 'owner' ? 'Owners see every tenant.' : 'Leave empty for every tenant.'}
            placeholder={scope.length ? undefined : 'Every tenant'}
            value={role === 'owner' ? [] : scope}
            disabled={role === 'owner'}
            clearable
            onChange={setScope}
            error={errors.tenantIds}
          />
          <Text size="xs" c="dimmed">
            A narrower role also narrows every API token of the account at once.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
