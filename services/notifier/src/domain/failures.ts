import type { Backup, Operation } from '@ocp/contracts';
import type { Notice } from './notice.ts';

/** How an operator names each kind of operation. */
const KIND_WORDS: Record<Operation['kind'], string> = {
  'tenant.provision': 'Provisioning',
  'tenant.suspend': 'Suspension',
  'tenant.resume': 'Resumption',
  'tenant.delete': 'Deletion',
  'tenant.module_install': 'Module install',
  'tenant.module_upgrade': 'Module upgrade',
  'tenant.module_uninstall': 'Module uninstall',
  'tenant.duplicate': 'Duplication',
  'tenant.rename': 'Rename',
  'tenant.purge': 'Purge',
  'backup.run': 'Backup',
  'backup.restore': 'Restore',
  'backup.drill': 'Restore drill',
  'backup.import': 'Odoo zip import',
  'backup.move': 'Move to another database server',
};

/**
 * The notice of an operation that failed, or undefined for any other change. Each failure is told
 * once: a failed `backup.run` is told by its `backup.failed` event, a drill that ran and found the
 * backup wanting by its `backup.drilled` event (both say more about the backup), and every other
 * failed operation, of the tenant service or the backup service, here.
 */
export function operationFailure(op: Operation): Notice | undefined {
  if (op.state !== 'failed') return undefined;
  if (op.kind === 'backup.run') return undefined;
  if (op.kind === 'backup.drill' && op.result?.drill === 'failed') return undefined;
  return {
    source: 'operation',
    headline: `${KIND_WORDS[op.kind]} failed`,
    tenantId: op.tenantId,
    operationId: op.id,
    ...(op.error ? { detail: op.error } : {}),
    facts: [
      { label: 'Operation', value: op.kind },
      ...(op.attempts ? [{ label: 'Attempts', value: String(op.attempts) }] : []),
    ],
  };
}

/**
 * The notice of a backup that failed. A pre-restore or move backup fails with its restore or move,
 * whose operation's failure is told already.
 */
export function backupFailure(backup: Backup): Notice | undefined {
  if (backup.state !== 'failed') return undefined;
  if (backup.kind === 'pre-restore' || backup.kind === 'move') return undefined;
  return {
    source: 'backup',
    headline: `${backup.kind === 'scheduled' ? 'Scheduled backup' : backup.kind === 'final' ? 'Final backup' : 'Backup'} failed`,
    tenantId: backup.tenantId,
    ...(backup.operationId ? { operationId: backup.operationId } : {}),
    ...(backup.error ? { detail: backup.error } : {}),
    facts: [{ label: 'Backup', value: backup.id }],
  };
}

/** The notice of a restore drill that found a backup it could not restore as its manifest says. */
export function drillFailure(backup: Backup): Notice | undefined {
  if (backup.drill.state !== 'failed') return undefined;
  return {
    source: 'drill',
    headline: 'Restore drill failed',
    tenantId: backup.tenantId,
    ...(backup.drill.detail ? { detail: backup.drill.detail } : {}),
    facts: [
      { label: 'Backup', value: backup.id },
      ...(backup.createdAt ? [{ label: 'Taken', value: backup.createdAt }] : []),
    ],
  };
}
