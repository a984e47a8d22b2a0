import type { BodyOf } from '../../forms.ts';

/** A role of the permission table, as the API's request schemas name it. */
export type Role = BodyOf<'post', '/api/v1/operators'>['role'];
/** A permission of the table, as the API's request schemas name it. */
export type Permission = BodyOf<'post', '/api/v1/tokens'>['scopes'][number];

/**
 * What each fixed role is for. The API lists the roles (the `role` enum of its schemas) but no route
 * answers a role's permissions, so these are the app's words; a role the API adds fails to compile
 * here until it is described.
 */
export const roleInfo: Record<Role, { label: string; color: string; summary: string }> = {
  owner: {
    label: 'Owner',
    color: 'grape.9',
    summary:
      'Everything, including making, changing and removing other owners. Never limited to tenants; the last enabled owner cannot be demoted, disabled or deleted.',
  },
  admin: {
    label: 'Admin',
    color: 'indigo.9',
    summary:
      'Runs the platform: tenants, backups and downloads, runtimes, operators (except owners), everyone’s API tokens, and the audit log with export and verification.',
  },
  operator: {
    label: 'Operator',
    color: 'blue.9',
    summary:
      'Day-to-day tenant work: create, suspend, resume, rename, copy and import tenants, back up and restore them, manage their Odoo modules, own API tokens. No deletion, operators or audit log.',
  },
  billing: {
    label: 'Billing',
    color: 'teal.9',
    summary:
      'Subscriptions and the webhook history, checkout and customer-portal links; reads tenants and their usage. Nothing else.',
  },
  viewer: {
    label: 'Viewer',
    color: 'gray.9',
    summary:
      'Reads tenants, operations, backups, modules, runtimes, usage and the audit log. Changes nothing and holds no API tokens.',
  },
};

export const roles = Object.keys(roleInfo) as Role[];

/** Words for each permission, for pickers and the roles screen; keyed by the API's enum. */
export const permissionInfo: Record<Permission, string> = {
  self: 'One’s own account: profile, password, logout',
  'tenants:read': 'List and read tenants',
  'tenants:create': 'Create tenants',
  'tenants:suspend': 'Suspend a tenant',
  'tenants:resume': 'Clear a suspension reason',
  'tenants:retry': 'Retry a failed provisioning',
  'tenants:delete': 'Delete a tenant',
  'tenants:duplicate': 'Make a staging copy of a tenant',
  'tenants:rename': 'Rename a tenant',
  'tenants:import': 'Import an Odoo backup as a new tenant',
  'tenants:move': 'Move a tenant to another database server',
  'tenants:write': 'Claim, verify and remove a tenant’s custom domains',
  'operations:read': 'Follow long-running operations',
  'operators:read': 'List and read operator accounts',
  'operators:write': 'Invite, change, disable and delete operators',
  'operators:owners': 'Make, change and remove owners',
  'operators:unlock': 'Lift an account’s login locks',
  'tokens:own': 'Make, list and revoke one’s own API tokens',
  'tokens:all': 'List and revoke everyone’s API tokens',
  'audit:read': 'Query the audit log',
  'audit:export': 'Export the audit log',
  'audit:verify': 'Verify the audit log’s hash chain',
  'backups:read': 'List and read backups',
  'backups:write': 'Back up now, drill a backup',
  'backups:restore': 'Restore a backup',
  'backups:download': 'Download a backup',
  'backups:delete': 'Delete a backup',
  'billing:read': 'Read subscriptions and webhooks',
  'billing:write': 'Make checkout and portal links',
  'plans:read': 'Read the plan catalog',
  'plans:write': 'Create, change and delete plans',
  'quotas:read': 'Read usage, limits and trials',
  'quotas:write': 'Override limits, set trials, measure now',
  'modules:read': 'Read a tenant’s Odoo modules',
  'modules:write': 'Install, upgrade and uninstall modules',
  'runtimes:read': 'List and read Odoo runtimes',
  'runtimes:write': 'Register and disable runtimes, rebuild templates',
};

/** Permissions by their resource (`tenants`, `audit`, ...), in the table's order. */
export function groupPermissions<P extends string>(perms: readonly P[]): [string, P[]][] {
  const groups = new Map<string, P[]>();
  for (const p of perms) {
    const key = p.split(':')[0] ?? p;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups];
}
