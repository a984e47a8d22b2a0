/**
 * The one permission table of the admin API. Every `/api/v1` route names one permission in its
 * route config (or is `public`); the gateway refuses to start otherwise. Routes of later issues
 * (quotas, deleting a backup) find their permissions here already.
 *
 * | permission         | owner | admin | operator | billing | viewer | what it allows                                    |
 * | ------------------ | ----- | ----- | -------- | ------- | ------ | ------------------------------------------------- |
 * | self               |   x   |   x   |    x     |    x    |   x    | /me, one's own password, logout                   |
 * | tenants:read       |   x   |   x   |    x     |    x    |   x    | list and read tenants                             |
 * | tenants:create  *  |   x   |   x   |    x     |         |        | create tenants                                    |
 * | tenants:suspend    |   x   |   x   |    x     |         |        | suspend a tenant                                  |
 * | tenants:resume     |   x   |   x   |    x     |         |        | clear a suspension reason                         |
 * | tenants:retry      |   x   |   x   |    x     |         |        | retry a failed provisioning                       |
 * | tenants:delete     |   x   |   x   |          |         |        | delete a tenant                                   |
 * | tenants:duplicate* |   x   |   x   |    x     |         |        | make a staging copy of a tenant (a new tenant)    |
 * | tenants:rename     |   x   |   x   |    x     |         |        | change a tenant's slug and database name          |
 * | tenants:import  *  |   x   |   x   |    x     |         |        | import an Odoo zip as a new tenant                |
 * | tenants:move    *  |   x   |   x   |          |         |        | move a tenant to another database server          |
 * | tenants:write      |   x   |   x   |    x     |         |        | claim, verify and remove a tenant's domains       |
 * | operations:read    |   x   |   x   |    x     |         |   x    | follow long-running operations                    |
 * | operators:read  *  |   x   |   x   |          |         |        | list and read operator accounts                   |
 * | operators:write *  |   x   |   x   |          |         |        | invite, change, disable, delete; service accounts |
 * | operators:owners * |   x   |       |          |         |        | make, change, disable or delete owners            |
 * | operators:unlock * |   x   |   x   |          |         |        | lift an account's login locks                     |
 * | tokens:own         |   x   |   x   |    x     |         |        | make, list and revoke one's own API tokens        |
 * | tokens:all      *  |   x   |   x   |          |         |        | list and revoke everyone's API tokens             |
 * | audit:read         |   x   |   x   |          |         |   x    | query the audit log                               |
 * | audit:export       |   x   |   x   |          |         |        | export the audit log (NDJSON, CSV)                |
 * | audit:verify    *  |   x   |   x   |          |         |        | check the audit log's hash chain                  |
 * | backups:read       |   x   |   x   |    x     |         |   x    | list and read a tenant's backups                  |
 * | backups:write      |   x   |   x   |    x     |         |        | back up now, drill a backup                       |
 * | backups:restore    |   x   |   x   |    x     |         |        | restore a backup into its tenant (replaces data)  |
 * | backups:download   |   x   |   x   |          |         |        | download a backup: a customer's whole data        |
 * | backups:delete     |   x   |   x   |          |         |        | delete a backup                                   |
 * | billing:read       |   x   |   x   |          |    x    |        | subscriptions, customers, invoices                |
 * | billing:write      |   x   |   x   |          |    x    |        | checkout and portal links, plan changes           |
 * | plans:read         |   x   |   x   |    x     |    x    |   x    | the plan catalog                                  |
 * | plans:write     *  |   x   |   x   |          |         |        | create, change and delete plans                   |
 * | quotas:read        |   x   |   x   |    x     |    x    |   x    | a tenant's usage, limits, history and trial       |
 * | quotas:write       |   x   |   x   |    x     |         |        | overrides, trials, measuring a tenant now         |
 * | modules:read       |   x   |   x   |    x     |         |   x    | a tenant's Odoo modules                           |
 * | modules:write      |   x   |   x   |    x     |         |        | install, upgrade, uninstall modules               |
 * | runtimes:read   *  |   x   |   x   |    x     |         |   x    | list and read Odoo runtimes                       |
 * | runtimes:write  *  |   x   |   x   |          |         |        | register runtimes and database servers, templates |
 *
 * `*` marks a global permission: it acts beyond single tenants, so an account limited to some
 * tenants never holds it, whatever its role (a limited operator cannot create tenants, a limited
 * admin cannot manage operators, a limited operator cannot make a staging copy, which is a new
 * tenant, nor see the runtimes every tenant shares, nor import a tenant). Owners are never limited
 * to tenants.
 *
 * Plans are the platform's price list: everyone reads them (billing maps prices to them), only
 * owners and admins change them, and never an account limited to tenants (a plan binds every
 * tenant on it). Overrides, trial ends and "measure now" concern one tenant: day-to-day operator
 * work, like suspending it.
 *
 * A restore is an operator's recovery work: the backup service takes a pre-restore backup first, so
 * it can be undone. Restoring into a new tenant makes a tenant, a staging copy: it needs
 * `tenants:duplicate` too. A download carries a customer's whole database and files out of the
 * platform: only owners and admins, and it is audited as a read.
 *
 * An API token holds the permissions in its scopes that its owner's role holds now: a request is
 * allowed only when both allow it, so demoting an operator narrows every token it made.
 */
export const permissionDescriptions = {
  self: "one's own account: /me, password change, logout",
  'tenants:read': 'list and read tenants',
  'tenants:create': 'create tenants',
  'tenants:suspend': 'suspend a tenant',
  'tenants:resume': 'clear a suspension reason of a tenant',
  'tenants:retry': 'retry a failed provisioning',
  'tenants:delete': 'delete a tenant',
  'tenants:duplicate': 'make a staging copy of a tenant, as a new tenant',
  'tenants:rename': "change a tenant's slug, database name and filestore directory",
  'tenants:import': 'import an Odoo backup zip as a new tenant',
  'tenants:move': 'move a tenant to another database server (and runtime) by backup and restore',
  'tenants:write': "claim, verify and remove a tenant's custom domains",
  'operations:read': 'follow long-running operations',
  'operators:read': 'list and read operator accounts',
  'operators:write': 'invite, change, disable and delete operators; service accounts',
  'operators:owners': 'make, change, disable and delete owners',
  'operators:unlock': "lift an account's login locks",
  'tokens:own': "make, list and revoke one's own API tokens",
  'tokens:all': "list and revoke everyone's API tokens",
  'audit:read': 'query the audit log',
  'audit:export': 'export the audit log',
  'audit:verify': "check the audit log's hash chain",
  'backups:read': "list and read a tenant's backups",
  'backups:write': 'back up a tenant now, drill a backup',
  'backups:restore': 'restore a backup into its tenant (with tenants:duplicate, into a new tenant)',
  'backups:download': "download a backup in Odoo's zip format",
  'backups:delete': 'delete a backup',
  'billing:read': 'read subscriptions and customers',
  'billing:write': 'change subscriptions, make checkout and portal links',
  'plans:read': 'read the plan catalog',
  'plans:write': 'create, change and delete plans',
  'quotas:read': "read a tenant's usage, limits, usage history and trial",
  'quotas:write': "override a tenant's limits, start or extend its trial, measure it now",
  'modules:read': "read a tenant's Odoo modules",
  'modules:write': 'install, upgrade and uninstall Odoo modules',
  'runtimes:read': 'list and read Odoo runtimes and database servers',
  'runtimes:write': 'register and disable Odoo runtimes, rebuild their templates; register database servers',
} as const;

export type Permission = keyof typeof permissionDescriptions;
export const allPermissions = Object.keys(permissionDescriptions) as Permission[];

export const roleNames = ['owner', 'admin', 'operator', 'billing', 'viewer'] as const;
export type Role = (typeof roleNames)[number];

/** What each fixed role is for, in a sentence; answered with its permissions by `GET /api/v1/roles`. */
export const roleDescriptions: Record<Role, string> = {
  owner:
    'everything, including making, changing and removing other owners; never limited to tenants, and the last enabled owner cannot be demoted, disabled or deleted',
  admin:
    "runs the platform: tenants, backups and their downloads, runtimes and database servers, operators (but not owners), everyone's API tokens, the audit log with export and verification",
  operator:
    "day-to-day tenant work: create, suspend, resume, rename, copy and import tenants, back them up and restore them, manage their Odoo modules, set a tenant's quota override and trial, make API tokens of its own; no deletion, plans, operators or audit log",
  billing: 'subscriptions and billing webhooks, checkout and portal links; reads tenants, plans and usage',
  viewer:
    'reads tenants, operations, backups, modules, runtimes, plans, usage and the audit log; changes nothing',
};

/** Permissions that reach beyond single tenants: never held by an account limited to tenants. */
export const globalPermissions: ReadonlySet<Permission> = new Set<Permission>([
  'tenants:create',
  'tenants:duplicate',
  'tenants:import',
  'tenants:move',
  'runtimes:read',
  'runtimes:write',
  'plans:write',
  'operators:read',
  'operators:write',
  'operators:owners',
  'operators:unlock',
  'tokens:all',
  'audit:verify',
]);

const allExcept = (...no: Permission[]) => allPermissions.filter((p) => !no.includes(p));

/** The table above, as code. */
export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(allPermissions),
  admin: new Set(allExcept('operators:owners')),
  operator: new Set<Permission>([
    'self',
    'tenants:read',
    'tenants:create',
    'tenants:suspend',
    'tenants:resume',
    'tenants:retry',
    'tenants:duplicate',
    'tenants:rename',
    'tenants:import',
    'tenants:write',
    'operations:read',
    'tokens:own',
    'backups:read',
    'backups:write',
    'backups:restore',
    'plans:read',
    'quotas:read',
    'quotas:write',
    'modules:read',
    'modules:write',
    'runtimes:read',
  ]),
  billing: new Set<Permission>([
    'self',
    'tenants:read',
    'billing:read',
    'billing:write',
    'plans:read',
    'quotas:read',
  ]),
  viewer: new Set<Permission>([
    'self',
    'tenants:read',
    'operations:read',
    'audit:read',
    'backups:read',
    'plans:read',
    'quotas:read',
    'modules:read',
    'runtimes:read',
  ]),
};

export const isPermission = (p: string): p is Permission => Object.hasOwn(permissionDescriptions, p);

/** What an account may do: its role's permissions, less the global ones when it is limited to tenants. */
export function accountPermissions(role: Role, tenantIds: readonly string[] | null): Set<Permission> {
  const out = new Set(rolePermissions[role]);
  if (tenantIds) for (const p of globalPermissions) out.delete(p);
  return out;
}

/** Why a principal lacks a permission, in words a caller can act on. */
export function whyDenied(
  permission: Permission,
  role: Role,
  tenantIds: readonly string[] | null,
  tokenScopes: readonly string[] | null,
): string {
  if (!rolePermissions[role].has(permission))
    return `this needs the permission ${permission}, which the role ${role} does not have`;
  if (tenantIds && globalPermissions.has(permission))
    return `this needs the permission ${permission}, which an account limited to some tenants does not have`;
  if (tokenScopes && !tokenScopes.includes(permission))
    return `this needs the permission ${permission}, which is not among this API token's scopes`;
  return `this needs the permission ${permission}`;
}
