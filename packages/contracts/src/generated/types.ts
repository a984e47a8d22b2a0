// Generated from proto-schemas/ by `pnpm gen`. Do not edit.
/* eslint-disable */

export interface BackupOperationRunV1 {
operationId: string
tenantId: string
kind: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete" | "tenant.module_install" | "tenant.module_upgrade" | "tenant.module_uninstall" | "tenant.duplicate" | "tenant.rename" | "tenant.purge" | "backup.run" | "backup.restore" | "backup.drill" | "backup.import" | "backup.move")
}

export interface TenantOperationRunV1 {
operationId: string
tenantId: string
kind: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete" | "tenant.module_install" | "tenant.module_upgrade" | "tenant.module_uninstall" | "tenant.duplicate" | "tenant.rename" | "tenant.purge" | "backup.run" | "backup.restore" | "backup.drill" | "backup.import" | "backup.move")
}

export type Outcome = ("success" | "denied" | "failed")

export interface AuditEntry {
/**
 * Position in the chain: 1, 2, 3, ... without gaps.
 */
seq: number
/**
 * The CloudEvents id of the event it records; one entry per id.
 */
id: string
/**
 * When the recorded thing happened (the event's time).
 */
time: string
source: string
/**
 * The CloudEvents type recorded.
 */
type: string
/**
 * operator:<id>, token:<id>, anonymous, or system:<service>.
 */
actor: string
action: string
target?: (string | null)
tenantId?: (string | null)
outcome: Outcome
/**
 * The recorded event's data.
 */
data: {

}
prevHash: string
hash: string
}

export interface BackupWindow {
tenantId: string
/**
 * When the tenant's scheduled backup may start, HH:MM UTC.
 */
windowStart: string
/**
 * How long the window stays open.
 */
windowMinutes: number
/**
 * true: no operator set it; the start is derived from the tenant id, which spreads a fleet over the day.
 */
derived: boolean
}

export interface Backup {
id: string
tenantId: string
/**
 * manual: asked by an operator; scheduled: by the tenant's schedule; pre-restore: taken before a restore replaced the database; final: taken before the tenant was deleted. move: taken to move the tenant to another database server (and restored there).
 */
kind: ("manual" | "scheduled" | "pre-restore" | "final" | "move")
state: ("queued" | "running" | "succeeded" | "failed")
createdAt: string
finishedAt: (string | null)
storedBytes: (number | null)
database: {
bytes: (number | null)
sha256: (string | null)
tables: (number | null)
}
filestore: {
bytes: (number | null)
sha256: (string | null)
files: (number | null)
}
odooVersion: (string | null)
postgresVersion: (string | null)
/**
 * Installed Odoo modules at the time of the backup.
 */
modules?: (number | null)
keptUntil?: (string | null)
/**
 * The retention class that keeps it (of succeeded backups only).
 */
generation?: ("daily" | "weekly" | "monthly" | null)
drill: {
state: ("none" | "passed" | "failed")
at: (string | null)
detail: (string | null)
}
error: (string | null)
operationId: (string | null)
}

export type BillingProvider = ("stripe" | "paddle")

export type BillingSubscriptionStatus = ("trialing" | "active" | "past_due" | "unpaid" | "canceled" | "paused" | "incomplete" | "incomplete_expired")

export interface BillingSubscription {
id: string
provider: BillingProvider
providerSubscriptionId: string
customerId: (string | null)
tenantId: (string | null)
plan: (string | null)
priceId: (string | null)
status: BillingSubscriptionStatus
currentPeriodEnd: (string | null)
cancelAtPeriodEnd: boolean
lastEventId: string
lastEventType: string
/**
 * The provider's own time of the last event applied.
 */
lastEventAt: string
updatedAt: string
}

export interface CloudEventEnvelope {
specversion: "1.0"
id: string
type: string
source: string
subject?: string
time: string
datacontenttype: "application/json"
dataschema: string
data: {

}
}

export interface DatabaseServer {
id: string
name: string
maxTenants: number
accepting: boolean
tenantCount: number
createdAt: string
}

export type ErrorCode = ("BAD_REQUEST" | "VALIDATION_FAILED" | "WEBHOOK_REJECTED" | "UNAUTHENTICATED" | "FORBIDDEN" | "CSRF_FAILED" | "NOT_FOUND" | "TENANT_NOT_FOUND" | "OPERATION_NOT_FOUND" | "OPERATOR_NOT_FOUND" | "TOKEN_NOT_FOUND" | "BACKUP_NOT_FOUND" | "TENANT_EXISTS" | "OPERATOR_EXISTS" | "LAST_OWNER" | "INVALID_STATE" | "BILLING_NOT_CONFIGURED" | "BILLING_NO_CUSTOMER" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "IDEMPOTENCY_KEY_REUSED" | "TOO_MANY_ATTEMPTS" | "INTERNAL" | "BILLING_PROVIDER_FAILED" | "NO_CAPACITY" | "WEBHOOK_NOT_CONFIGURED" | "SERVICE_UNAVAILABLE" | "DATABASE_UNAVAILABLE" | "RUNTIME_NOT_FOUND" | "RUNTIME_EXISTS" | "NO_RUNTIME" | "RUNTIME_REFUSED" | "RUNTIME_UNREACHABLE" | "BACKUP_UNUSABLE" | "STORE_UNAVAILABLE" | "DOMAIN_INVALID" | "DOMAIN_TOO_LONG" | "DOMAIN_LABEL_INVALID" | "DOMAIN_NOT_QUALIFIED" | "DOMAIN_IS_IP" | "DOMAIN_RESERVED" | "DOMAIN_NOT_FOUND" | "DOMAIN_TAKEN" | "TOO_MANY_DOMAINS" | "DOMAIN_VERIFICATION_FAILED" | "PLAN_NOT_FOUND" | "PLAN_INVALID" | "PLAN_MODULE_UNKNOWN" | "PLAN_LIMIT_BELOW_USAGE" | "PLAN_IN_USE" | "TRIAL_END_IN_PAST" | "QUOTA_MODULE_NOT_ALLOWED" | "QUOTA_EXCEEDED")

export interface Operation {
id: string
kind: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete" | "tenant.module_install" | "tenant.module_upgrade" | "tenant.module_uninstall" | "tenant.duplicate" | "tenant.rename" | "tenant.purge" | "backup.run" | "backup.restore" | "backup.drill" | "backup.import" | "backup.move")
tenantId: string
state: ("queued" | "running" | "succeeded" | "failed")
progress: number
step?: (string | null)
error: (string | null)
attempts?: number
createdAt: string
updatedAt: string
startedAt?: (string | null)
finishedAt?: (string | null)
/**
 * What a finished operation did, by kind: for module operations `module`, `installed` (modules installed, dependencies and auto-installed ones included), `upgraded`, `removed` (modules uninstalled, dependants included), and `unchanged: true` when the module was already as asked (an install of an installed module, an uninstall of an uninstalled one: nothing is asked of Odoo, and no module event is published); for a rename the previous slug and database.
 */
result?: ({
[k: string]: unknown | undefined
} | null)
/**
 * Bytes moved so far by a backup, restore or import (progress of work whose size is not known ahead).
 */
bytesDone?: (number | null)
}

export type PlanDisplayName = string

export type PlanOdooVersion = (null | ("16.0" | "17.0" | "18.0"))

export type PlanLimit = (number | null)

export type PlanModuleList = (string[] | null)

export type PlanDefaultModules = string[]

export type PlanTrialDays = (number | null)

export type PlanMetered = (null | {
provider: "stripe"
meterEventName: string
} | {
provider: "paddle"
priceId: string
})

export interface QuotaPlan {
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
name: string
displayName: PlanDisplayName
odooVersion: PlanOdooVersion
limits: PlanLimits
allowedModules: PlanModuleList
defaultModules: PlanDefaultModules
trialDays: PlanTrialDays
atLimit: PlanAtLimit
metered: PlanMetered
/**
 * Raised by one at each change: a follower keeps the highest it saw.
 */
version: number
createdAt: string
updatedAt: string
}

export interface PlanLimits {
activeUsers: PlanLimit
databaseBytes: PlanLimit
filestoreBytes: PlanLimit
backupBytes: PlanLimit
backupGenerations: PlanLimit
}

export interface PlanAtLimit {
/**
 * block: module installs are refused while a limit is reached; suspend: also suspended (reason quota) once the grace period is over.
 */
action: ("block" | "suspend")
graceSeconds: number
}

export interface RestoreTarget {
databaseName: string
databaseServerId: (string | null)
/**
 * The role that owns the database and every object in it (the runtime's role).
 */
ownerRole: string
/**
 * Absolute path of the tenant's filestore directory; null: the tenant has none.
 */
filestoreDir: (string | null)
odooVersion: (string | null)
/**
 * The state the tenant returns to after the restore.
 */
previousState: (string | null)
/**
 * For a restore: the database the backup service creates (owned by ownerRole) and restores into, and the filestore directory of that name under the same root; the tenant service switches both in at the end. Null for a backup.
 */
restoreDatabaseName: (string | null)
/**
 * The server's name: the key of its admin URL in the backup service's BACKUP_DB_SERVERS (the default server: BACKUP_DB_ADMIN_URL).
 */
databaseServerName: (string | null)
}

export type RouteHost = string

export type RouteHostPort = string

export interface Route {
tenantId: string
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
/**
 * The tenant's state: only active tenants are served; the others are answered by the router (suspended, maintenance).
 */
state: ("active" | "suspended" | "restoring" | "migrating")
/**
 * The tenant's database name (Odoo's dbfilter).
 */
database: string
/**
 * The host of the tenant's base URL, then every verified custom domain; lowercase ASCII (punycode).
 * 
 * @minItems 0
 * @maxItems 1000
 */
hosts: RouteHost[]
/**
 * Where the tenant's runtime listens: http is Odoo's HTTP port (the runtime's rpcUrl), websocket its gevent port for /websocket and /longpolling/ (the runtime's websocketUrl). Null when the tenant is on no registered runtime (nothing serves it).
 */
upstream: (null | RouteUpstream)
}

export interface RouteUpstream {
http: RouteHostPort
websocket: RouteHostPort
}

export interface RpcError {
error: {
code: ErrorCode
message: string
field?: string
}
}

export type Name = string

export type OdooVersion = ("16.0" | "17.0" | "18.0")

export type DbRole = string

export interface Runtime {
id: string
name: Name
odooVersion: OdooVersion
/**
 * The runtime's internal address; JSON-RPC calls go to <rpcUrl>/jsonrpc.
 */
rpcUrl: string
/**
 * The internal address of the runtime's gevent port (Odoo's /websocket and /longpolling/); the rpcUrl's host with port 8072 unless registered otherwise.
 */
websocketUrl?: string
databaseServerId: string
dbRole: DbRole
/**
 * Where the runtime's <data_dir>/filestore is mounted for the platform.
 */
filestorePath: string
/**
 * preparing: its template is being made through it; ready: takes new tenants; failed: the template could not be made (see templateError); disabled: takes no new tenants, serves its own.
 */
state: ("preparing" | "ready" | "failed" | "disabled")
templateDatabase: (string | null)
templateError: (string | null)
templateStep?: (string | null)
maxTenants: number
tenantCount: number
createdAt: string
updatedAt: string
disabledAt?: (string | null)
}

export type DomainName = string

export interface TenantDomain {
tenantId: string
domain: DomainName
/**
 * pending: claimed, its TXT record not yet seen; verified: routed to the tenant.
 */
state: ("pending" | "verified")
challenge: DomainChallenge
createdAt: string
verifiedAt: (string | null)
}

export interface DomainChallenge {
type: "TXT"
/**
 * _ocp-challenge.<domain>
 */
name: string
/**
 * ocp-verify=<token>
 */
value: string
}

export type UsageFigure = (number | null)

export type QuotaLevel = ("ok" | "warning" | "exceeded" | "unlimited" | "unknown")

export interface TenantQuota {
tenantId: string
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
plan: string
/**
 * False when the tenant's plan is not in the catalog: no limits apply.
 */
planKnown?: boolean
limits: PlanLimits
allowedModules: PlanModuleList
override: (null | QuotaOverride)
usage: (null | UsageSample)
levels: QuotaLevels
enforcement: QuotaEnforcement
trial: (null | QuotaTrial)
}

export interface QuotaOverride {
limits: PartialLimits
allowedModules?: PlanModuleList
updatedAt: string
}

export interface PartialLimits {
activeUsers?: PlanLimit
databaseBytes?: PlanLimit
filestoreBytes?: PlanLimit
backupBytes?: PlanLimit
backupGenerations?: PlanLimit
}

export interface UsageSample {
tenantId: string
measuredAt: string
activeUsers: UsageFigure
databaseBytes: UsageFigure
filestoreBytes: UsageFigure
backupBytes: UsageFigure
backupGenerations: UsageFigure
error?: {
/**
 * e.g. DATABASE_MISSING, DATABASE_UNREACHABLE, FILESTORE_UNREADABLE.
 */
code: string
message: string
}
}

export interface QuotaLevels {
activeUsers: QuotaLevel
databaseBytes: QuotaLevel
filestoreBytes: QuotaLevel
backupBytes: QuotaLevel
backupGenerations: QuotaLevel
}

export interface QuotaEnforcement {
installsBlocked: boolean
/**
 * Suspended for reason quota.
 */
suspended: boolean
/**
 * When a limit was first reached.
 */
since?: string
graceEndsAt?: string
}

export interface QuotaTrial {
startedAt: string
endsAt: string
state: ("running" | "converted" | "ended")
}

export type Slug = string

export type Plan = string

export type State = ("pending" | "provisioning" | "active" | "suspended" | "failed" | "restoring" | "migrating" | "deleting" | "deleted")

export type SuspensionReason = ("billing" | "quota" | "trial" | "manual")

export interface Tenant {
id: string
slug: Slug
/**
 * A name to show: 1 to 200 characters, no control characters.
 */
displayName: string
plan: Plan
state: State
/**
 * @maxItems 4
 */
suspensionReasons: SuspensionReason[]
databaseName: string
databaseServerId: (string | null)
lastError?: (string | null)
createdAt: string
updatedAt: string
deletedAt?: (string | null)
/**
 * The Odoo runtime that serves the tenant; null: none registered (the server's default runtime role owns its database).
 */
runtimeId?: (string | null)
/**
 * The login of the tenant's Odoo administrator (user id 2).
 */
adminLogin?: (string | null)
companyName?: (string | null)
/**
 * The tenant's address, Odoo's web.base.url.
 */
baseUrl?: (string | null)
/**
 * The tenant this one is a staging copy of.
 */
sourceTenantId?: (string | null)
/**
 * A tenant being deleted: when its database and files go for good; until then the deletion can be undone (POST /tenants/{id}/undelete).
 */
purgeAfter?: (string | null)
/**
 * The backup taken before the tenant was deleted.
 */
finalBackupId?: (string | null)
/**
 * The tenant's customer id at its billing provider (Stripe `cus_...`, Paddle `ctm_...`), as billing last announced it (ocp.billing.subscription_changed.v1); null until then.
 */
billingCustomerId?: (string | null)
}

export interface AuditCheckpointV1 {
/**
 * Position of the last entry of the chain when signed.
 */
seq: number
/**
 * The hash of that entry.
 */
hash: string
/**
 * When it was signed (RFC 3339 UTC, as Date.toISOString() writes it).
 */
signedAt: string
/**
 * First 16 hex digits of the SHA-256 of the signing key's public key (SPKI DER): which key signed it.
 */
keyId: string
/**
 * Ed25519 signature (base64) of the RFC 8785 canonical JSON of {hash, keyId, seq, signedAt, type: "ocp.audit.checkpoint.v1"}.
 */
signature: string
}

export interface AuditRequestV1 {
/**
 * operator:<id>, token:<id> or anonymous.
 */
actor: string
actorEmail?: (string | null)
/**
 * What was asked, e.g. tenant.suspend, operator.create, auth.login.
 */
action: string
/**
 * What it was about, e.g. tenant:<id>, operator:<id>.
 */
target?: (string | null)
tenantId?: (string | null)
/**
 * success; denied (401/403, refused by authentication or permission); failed (any other error).
 */
outcome: ("success" | "denied" | "failed")
status: number
/**
 * Why it was refused or failed.
 */
reason?: (string | null)
method: string
path: string
requestId: string
sourceIp: string
userAgent: string
before?: ({

} | null)
after?: ({

} | null)
}

export interface BackupCompletedV1 {
backup: Backup
}

export interface BackupDrilledV1 {
backup: Backup
}

export interface BackupFailedV1 {
backup: Backup
}

export interface BackupPrunedV1 {
backup: Backup
reason: string
}

export interface BillingSubscriptionChangedV1 {
subscription: BillingSubscription
}

export interface BillingTenantAccessChangedV1 {
tenantId: string
access: ("granted" | "revoked")
provider: BillingProvider
subscriptionId: string
status: BillingSubscriptionStatus
reason: string
}

export interface BillingTenantPlanChangedV1 {
tenantId: string
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
plan: string
provider: BillingProvider
subscriptionId: string
}

export interface BillingWebhookReceivedV1 {
provider: BillingProvider
providerEventId: string
providerEventType: string
receivedAt: string
/**
 * The raw body, UTF-8, exactly as signed.
 */
body: string
}

export interface BillingWebhookRejectedV1 {
provider: BillingProvider
reason: string
receivedAt: string
bodyBytes: number
sourceIp: string
}

export interface OperationUpdatedV1 {
operation: Operation
}

export type QuotaMetric = ("activeUsers" | "databaseBytes" | "filestoreBytes" | "backupBytes" | "backupGenerations")

export interface QuotaBackUnderV1 {
tenantId: string
metric: QuotaMetric
usage: number
limit: (number | null)
}

export interface QuotaEnforcementChangedV1 {
tenantId: string
installsBlocked: boolean
reason?: string
}

export interface QuotaExceededV1 {
tenantId: string
metric: QuotaMetric
usage: number
limit: number
}

export interface QuotaPlanChangedV1 {
plan: QuotaPlan
deleted?: true
}

export interface QuotaTenantAccessChangedV1 {
tenantId: string
access: ("granted" | "revoked")
reason: ("quota" | "trial")
detail: string
}

export interface QuotaTrialEndedV1 {
tenantId: string
outcome: ("suspended" | "converted")
}

export interface QuotaTrialEndingV1 {
tenantId: string
endsAt: string
daysLeft: number
}

export interface QuotaUsageReportedV1 {
tenantId: string
provider: BillingProvider
/**
 * The period reported, e.g. 2026-12-01T00:00:00Z/2026-12-02T00:00:00Z or a day 2026-12-01.
 */
period: string
quantity: number
}

export interface QuotaWarningV1 {
tenantId: string
metric: QuotaMetric
usage: number
limit: number
percent: number
}

export interface TenantActivatedV1 {
tenant: Tenant
operationId: string
}

export interface TenantCreatedV1 {
tenant: Tenant
operationId: string
}

export interface TenantDeletedV1 {
tenant: Tenant
operationId: string
}

export interface TenantDeletingV1 {
tenant: Tenant
operationId: string
}

export interface TenantDeletionCancelledV1 {
tenant: Tenant
}

export interface TenantDomainRemovedV1 {
tenantId: string
domain: DomainName
}

export interface TenantDomainVerifiedV1 {
tenantId: string
domain: DomainName
}

export interface TenantModuleInstalledV1 {
tenant: Tenant
operationId: string
module: string
/**
 * Modules that became installed.
 * 
 * @maxItems 2000
 */
installed: string[]
/**
 * Modules upgraded.
 * 
 * @maxItems 2000
 */
upgraded: string[]
/**
 * Modules that became uninstalled.
 * 
 * @maxItems 2000
 */
removed: string[]
}

export interface TenantModuleUninstalledV1 {
tenant: Tenant
operationId: string
module: string
/**
 * Modules that became installed.
 * 
 * @maxItems 2000
 */
installed: string[]
/**
 * Modules upgraded.
 * 
 * @maxItems 2000
 */
upgraded: string[]
/**
 * Modules that became uninstalled.
 * 
 * @maxItems 2000
 */
removed: string[]
}

export interface TenantModuleUpgradedV1 {
tenant: Tenant
operationId: string
module: string
/**
 * Modules that became installed.
 * 
 * @maxItems 2000
 */
installed: string[]
/**
 * Modules upgraded.
 * 
 * @maxItems 2000
 */
upgraded: string[]
/**
 * Modules that became uninstalled.
 * 
 * @maxItems 2000
 */
removed: string[]
}

export interface TenantMovedV1 {
tenant: Tenant
restoreId: string
previousDatabaseServerId: (string | null)
previousRuntimeId: (string | null)
}

export interface TenantPlanChangedV1 {
tenant: Tenant
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
previousPlan: string
}

export interface TenantProvisioningV1 {
tenant: Tenant
operationId: string
}

export interface TenantProvisioningFailedV1 {
tenant: Tenant
operationId: string
error: string
}

export interface TenantRenamedV1 {
tenant: Tenant
operationId: string
previousSlug: string
previousDatabaseName: string
}

export interface TenantRestoredV1 {
tenant: Tenant
restoreId: string
outcome: ("restored" | "failed")
backupId: (string | null)
error: (string | null)
}

export interface TenantRestoringV1 {
tenant: Tenant
restoreId: string
}

export interface TenantResumedV1 {
tenant: Tenant
operationId: string
reason: ("billing" | "quota" | "trial" | "manual")
}

export interface TenantSuspendedV1 {
tenant: Tenant
operationId: string
reason: ("billing" | "quota" | "trial" | "manual")
}

export interface TenantSuspensionReasonClearedV1 {
tenant: Tenant
operationId: string
reason: ("billing" | "quota" | "trial" | "manual")
}

export interface AuditQueryReplyV1 {
items: AuditEntry[]
/**
 * Pass as cursor for the next page; null on the last page.
 */
nextCursor: (string | null)
}

export interface AuditQueryRequestV1 {
limit: number
/**
 * asc: oldest first (chain order); desc: newest first. A cursor belongs to the order that gave it.
 */
order?: ("asc" | "desc")
/**
 * nextCursor of the previous page, asked in the same order: the entries after it in that order. Opaque.
 */
cursor?: string
from?: string
to?: string
actor?: string
tenantId?: string
/**
 * Only entries about these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
action?: string
/**
 * success; denied (401/403, refused by authentication or permission); failed (any other error).
 */
outcome?: ("success" | "denied" | "failed")
}

export interface AuditVerifyReplyV1 {
/**
 * The chain holds over the range and the log agrees with its last checkpoint. A log without a checkpoint key, or without a checkpoint yet, is judged on its chain alone: checkpoint.outcome says so.
 */
ok: boolean
checked: number
fromSeq: (number | null)
toSeq: (number | null)
firstBroken?: {
/**
 * The position where the chain breaks.
 */
seq: number
/**
 * changed: the entry's content no longer gives its hash; missing: positions are absent before it; relinked: its prevHash is not the previous entry's hash.
 */
problem: ("changed" | "missing" | "relinked")
detail: string
}
/**
 * The log compared with the last checkpoint of its head, signed with a key the database does not hold and kept in the AUDIT_CHECKPOINTS stream.
 */
checkpoint: {
/**
 * matches: the entry at the signed position has the signed hash; truncated: the log ends before the signed position (entries were removed from its end); missing: the entry at the signed position is absent; rewritten: that entry has another hash; bad_signature: the checkpoint does not verify with this service's key; no_checkpoint: none was made yet; unanchored: no checkpoint key is configured, so only the chain itself was checked.
 */
outcome: ("matches" | "truncated" | "missing" | "rewritten" | "bad_signature" | "no_checkpoint" | "unanchored")
detail: string
/**
 * The checkpoint's sequence in its stream (checkpoint #n).
 */
checkpointSeq: (number | null)
/**
 * The position the checkpoint signed: the head of the log when it was made.
 */
seq: (number | null)
/**
 * The hash the checkpoint signed for that position.
 */
hash: (string | null)
signedAt: (string | null)
/**
 * Positions the checkpoint shows the log had and no longer has.
 */
missing: ({
fromSeq: number
toSeq: number
} | null)
}
}

export interface AuditVerifyRequestV1 {
fromSeq?: number
toSeq?: number
}

export interface BackupCreateReplyV1 {
backup: Backup
operation: Operation
}

export interface BackupCreateRequestV1 {
tenantId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface BackupDrillReplyV1 {
operation: Operation
}

export interface BackupDrillRequestV1 {
backupId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface BackupFinalReplyV1 {
backup: Backup
}

export interface BackupFinalRequestV1 {
tenantId: string
requestId: string
}

export interface BackupGetReplyV1 {
backup: Backup
}

export interface BackupGetRequestV1 {
backupId: string
}

export interface BackupListReplyV1 {
/**
 * @maxItems 200
 */
items: Backup[]
nextCursor: (string | null)
}

export interface BackupListRequestV1 {
tenantId: string
limit: number
cursor?: string
state?: ("queued" | "running" | "succeeded" | "failed")
}

export interface BackupMoveReplyV1 {
operation: Operation
}

export interface BackupMoveRequestV1 {
tenantId: string
runtimeId?: string
databaseServerId?: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface BackupOperationGetReplyV1 {
operation: Operation
}

export interface BackupOperationGetRequestV1 {
operationId: string
}

export interface BackupOperationListReplyV1 {
items: Operation[]
more: boolean
}

export interface BackupOperationListRequestV1 {
limit: number
/**
 * Only operations after this one in the list's order: created earlier, or at the same millisecond with a smaller id.
 */
olderThan?: {
createdAt: string
id: string
}
state?: ("queued" | "running" | "succeeded" | "failed")
kind?: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete" | "tenant.module_install" | "tenant.module_upgrade" | "tenant.module_uninstall" | "tenant.duplicate" | "tenant.rename" | "tenant.purge" | "backup.run" | "backup.restore" | "backup.drill" | "backup.import" | "backup.move")
tenantId?: string
/**
 * Only operations of these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
}

export interface BackupOverdueReplyV1 {
items: {
tenantId: string
/**
 * As the backup service last heard it from the tenant's events.
 */
slug: string
state: ("active" | "suspended")
/**
 * When the last successful scheduled or manual backup was taken; null: none yet.
 */
lastBackupAt: (string | null)
/**
 * A day after lastBackupAt, or, with no backup, a day after the schedule took the tenant on (its first event as active or suspended).
 */
dueAt: string
/**
 * How long after dueAt the question was asked: more than the grace, or it would not be listed.
 */
lateSeconds: number
}[]
/**
 * Pass as cursor for the next page; null on the last page.
 */
nextCursor: (string | null)
/**
 * The grace after dueAt before a tenant is listed (BACKUP_OVERDUE_GRACE_MINUTES).
 */
graceMinutes: number
}

export interface BackupOverdueRequestV1 {
limit: number
/**
 * nextCursor of the previous page: the tenants after it. Opaque.
 */
cursor?: string
/**
 * Only these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
}

export interface BackupRestoreReplyV1 {
operation: Operation
}

export interface BackupRestoreRequestV1 {
backupId: string
tenantId?: string
newTenant?: {
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
displayName?: string
}
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface BackupTransferReplyV1 {
path: string
expiresAt: string
fileName?: (string | null)
}

export interface BackupTransferRequestV1 {
direction: ("download" | "import")
backupId?: string
newTenant?: {
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
displayName?: string
/**
 * The tenant whose backup it is: the new tenant goes on its runtime and server.
 */
sourceTenantId?: string
/**
 * For an import: the runtime to place it on.
 */
runtimeId?: string
/**
 * For an import: the Odoo series of the zip (18.0).
 */
odooVersion?: string
}
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface BackupWindowGetReplyV1 {
window: BackupWindow
}

export interface BackupWindowGetRequestV1 {
tenantId: string
}

export interface BackupWindowSetReplyV1 {
window: BackupWindow
}

export interface BackupWindowSetRequestV1 {
tenantId: string
/**
 * HH:MM UTC; null: derived from the tenant id.
 */
windowStart: (string | null)
/**
 * Default 240.
 */
windowMinutes?: number
actor?: string
}

export interface BillingCheckoutCreateReplyV1 {
url: string
}

export interface BillingCheckoutCreateRequestV1 {
tenantId: string
provider: BillingProvider
priceId?: string
returnUrl?: string
}

export interface BillingPortalCreateReplyV1 {
url: string
}

export interface BillingPortalCreateRequestV1 {
tenantId: string
provider: BillingProvider
priceId?: string
returnUrl?: string
}

export interface BillingSubscriptionsGetReplyV1 {
items: BillingSubscription[]
}

export interface BillingSubscriptionsGetRequestV1 {
tenantId: string
}

export type BillingWebhookStatus = ("applied" | "duplicate" | "rejected" | "unmatched" | "ignored" | "failed")

export interface BillingWebhooksListReplyV1 {
items: {
id: string
provider: BillingProvider
providerEventId: (string | null)
providerEventType: (string | null)
status: BillingWebhookStatus
tenantId: (string | null)
receivedAt: string
detail: (string | null)
}[]
nextCursor: (string | null)
}

export interface BillingWebhooksListRequestV1 {
limit: number
cursor?: string
provider?: BillingProvider
status?: BillingWebhookStatus
tenantId?: string
}

export interface OperationGetReplyV1 {
operation: Operation
}

export interface OperationGetRequestV1 {
operationId: string
}

export interface OperationListReplyV1 {
items: Operation[]
more: boolean
}

export interface OperationListRequestV1 {
limit: number
/**
 * Only operations after this one in the list's order: created earlier, or at the same millisecond with a smaller id.
 */
olderThan?: {
createdAt: string
id: string
}
state?: ("queued" | "running" | "succeeded" | "failed")
kind?: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete" | "tenant.module_install" | "tenant.module_upgrade" | "tenant.module_uninstall" | "tenant.duplicate" | "tenant.rename" | "tenant.purge" | "backup.run" | "backup.restore" | "backup.drill" | "backup.import" | "backup.move")
tenantId?: string
/**
 * Only operations of these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
}

export interface QuotaMeasureNowReplyV1 {
sample: UsageSample
}

export interface QuotaMeasureNowRequestV1 {
tenantId: string
}

export interface QuotaModuleCheckReplyV1 {
allowed: boolean
reason?: ("not_in_plan" | "over_quota")
}

export interface QuotaModuleCheckRequestV1 {
tenantId: string
/**
 * A technical module name: lowercase letters, digits and underscores, at most 64.
 */
module: string
}

export interface QuotaOverridesDeleteReplyV1 {
quota: TenantQuota
}

export interface QuotaOverridesDeleteRequestV1 {
tenantId: string
}

export interface QuotaOverridesPutReplyV1 {
quota: TenantQuota
}

export interface QuotaOverridesPutRequestV1 {
tenantId: string
limits: PartialLimits
allowedModules?: PlanModuleList
}

export interface QuotaPlansDeleteReplyV1 {

}

export interface QuotaPlansDeleteRequestV1 {
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
name: string
}

export interface QuotaPlansGetReplyV1 {
plan: QuotaPlan
}

export interface QuotaPlansGetRequestV1 {
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
name: string
}

export interface QuotaPlansListReplyV1 {
/**
 * @maxItems 200
 */
items: QuotaPlan[]
/**
 * Absent on the last page.
 */
next?: string
}

export interface QuotaPlansListRequestV1 {
/**
 * `next` of the previous page: the plans after this name.
 */
after?: string
limit?: number
}

export interface QuotaPlansPutReplyV1 {
plan: QuotaPlan
created: boolean
}

export interface QuotaPlansPutRequestV1 {
plan: PlanInput
force?: boolean
}

export interface PlanInput {
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
name: string
displayName: PlanDisplayName
odooVersion?: PlanOdooVersion
limits: PlanLimits
allowedModules?: PlanModuleList
defaultModules?: PlanDefaultModules
trialDays?: PlanTrialDays
atLimit?: PlanAtLimit
metered?: PlanMetered
}

export interface QuotaTenantGetReplyV1 {
quota: TenantQuota
}

export interface QuotaTenantGetRequestV1 {
tenantId: string
}

export interface QuotaTrialPutReplyV1 {
quota: TenantQuota
}

export interface QuotaTrialPutRequestV1 {
tenantId: string
endsAt: string
}

export interface QuotaUsageHistoryReplyV1 {
/**
 * @maxItems 1000
 */
items: UsageSample[]
/**
 * Absent on the last page.
 */
next?: string
}

export interface QuotaUsageHistoryRequestV1 {
tenantId: string
/**
 * `next` of the previous page. Opaque.
 */
after?: string
limit?: number
/**
 * Only samples measured at or after this time.
 */
since?: string
}

export interface TenantBackupSourceReplyV1 {
tenant: Tenant
target: RestoreTarget
}

export interface TenantBackupSourceRequestV1 {
tenantId: string
}

export interface TenantCreateReplyV1 {
tenant: Tenant
operation: Operation
/**
 * The generated administrator password: answered once, when none was given, and never stored in clear.
 */
adminPassword?: string
}

export interface TenantCreateRequestV1 {
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
/**
 * A name to show: 1 to 200 characters, no control characters.
 */
displayName: string
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
plan: string
idempotencyKey?: string
requestHash?: string
/**
 * Who asked, for the record.
 */
actor?: string
/**
 * An email address, or a user name of letters, digits, dots, hyphens and underscores (at most 64, starting with a letter or digit).
 */
adminLogin?: string
/**
 * The administrator's password; one is generated (and answered once) when none is given.
 */
adminPassword?: string
/**
 * 1 to 200 characters, no control characters.
 */
companyName?: string
/**
 * Place the tenant on this runtime instead of the one the placement rule picks.
 */
runtimeId?: string
/**
 * The Odoo series the runtime serves.
 */
odooVersion?: ("16.0" | "17.0" | "18.0")
}

export interface TenantDeleteReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantDeleteRequestV1 {
tenantId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantDomainsAddReplyV1 {
domain: TenantDomain
created: boolean
}

export type DomainInput = string

export interface TenantDomainsAddRequestV1 {
tenantId: string
domain: DomainInput
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantDomainsListReplyV1 {
domains: TenantDomain[]
}

export interface TenantDomainsListRequestV1 {
tenantId: string
}

export interface TenantDomainsRemoveReplyV1 {
domain: TenantDomain
}

export interface TenantDomainsRemoveRequestV1 {
tenantId: string
domain: DomainInput
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantDomainsVerifyReplyV1 {
domain: TenantDomain
}

export interface TenantDomainsVerifyRequestV1 {
tenantId: string
domain: DomainInput
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantDuplicateReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantDuplicateRequestV1 {
tenantId: string
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
displayName?: string
/**
 * Neutralise the copy as Odoo does (default true).
 */
neutralize?: boolean
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantGetReplyV1 {
tenant: Tenant
}

export interface TenantGetRequestV1 {
tenantId?: string
slug?: string
}

export interface TenantListReplyV1 {
items: Tenant[]
nextCursor: (string | null)
}

export interface TenantListRequestV1 {
limit: number
cursor?: string
state?: ("pending" | "provisioning" | "active" | "suspended" | "failed" | "restoring" | "migrating" | "deleting" | "deleted")
/**
 * A plan name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters.
 */
plan?: string
slugPrefix?: string
includeDeleted?: boolean
/**
 * Only these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
/**
 * Exactly these tenants, deleted ones included (the names of tenants a table shows). Within tenantIds when both are given: the list is the intersection, never wider than the scope.
 * 
 * @minItems 1
 * @maxItems 100
 */
ids?: [string, ...(string)[]]
/**
 * The order of a tenant list: a field, descending when it starts with `-`; ties go by id in the same direction. `displayName` sorts by the lowercased name, byte by byte; `state` by the state's name.
 */
sort?: ("-createdAt" | "createdAt" | "slug" | "-slug" | "displayName" | "-displayName" | "-updatedAt" | "updatedAt" | "state")
/**
 * Free text, 1 to 100 characters without control characters: found anywhere (case-insensitive) in the display name, slug, domain or billing customer id.
 */
q?: string
/**
 * Only tenants served by this Odoo runtime.
 */
runtimeId?: string
}

export interface TenantModuleReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantModuleRequestV1 {
tenantId: string
/**
 * A technical module name: lowercase letters, digits and underscores, at most 64.
 */
module: string
action: ("install" | "upgrade" | "uninstall")
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantModulesListReplyV1 {
items: Module[]
nextCursor: (string | null)
}

export interface Module {
name: string
state: ("uninstalled" | "installed" | "to upgrade" | "to remove" | "to install" | "uninstallable")
shortdesc?: (string | null)
latestVersion?: (string | null)
installedVersion?: (string | null)
application?: boolean
autoInstall?: boolean
}

export interface TenantModulesListRequestV1 {
tenantId: string
limit: number
cursor?: string
state?: ("uninstalled" | "installed" | "to upgrade" | "to remove" | "to install" | "uninstallable")
/**
 * Only modules whose name contains this.
 */
search?: string
}

export interface TenantRenameReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantRenameRequestV1 {
tenantId: string
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantRestoreBeginReplyV1 {
tenant: Tenant
target: RestoreTarget
}

export interface TenantRestoreBeginRequestV1 {
restoreId: string
tenantId?: string
newTenant?: {
/**
 * 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.
 */
slug: string
displayName?: string
/**
 * The tenant whose backup it is: the new tenant goes on its runtime and server.
 */
sourceTenantId?: string
/**
 * For an import: the runtime to place it on.
 */
runtimeId?: string
/**
 * For an import: the Odoo series of the zip (18.0).
 */
odooVersion?: string
}
/**
 * Who asked, for the record.
 */
actor?: string
/**
 * Restore the tenant onto another database server (a runtime there, or the server) instead of in place.
 */
move?: {
runtimeId?: string
databaseServerId?: string
}
}

export interface TenantRestoreEndReplyV1 {
tenant: Tenant
}

export interface TenantRestoreEndRequestV1 {
restoreId: string
tenantId: string
outcome: ("restored" | "failed")
backupId?: string
error?: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantResumeReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantResumeRequestV1 {
tenantId: string
reason: ("billing" | "quota" | "trial" | "manual")
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantRetryReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantRetryRequestV1 {
tenantId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantRoutesGetReplyV1 {
route: (null | Route)
}

export interface TenantRoutesGetRequestV1 {
tenantId: string
}

export interface TenantRoutesListReplyV1 {
routes: Route[]
next?: string
}

export interface TenantRoutesListRequestV1 {
/**
 * The next value of the previous page: the page starts after it.
 */
after?: string
/**
 * At most this many routes (500 when left out).
 */
limit?: number
}

export interface TenantRuntimeDisableReplyV1 {
runtime: Runtime
}

export interface TenantRuntimeDisableRequestV1 {
runtimeId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantRuntimeGetReplyV1 {
runtime: Runtime
}

export interface TenantRuntimeGetRequestV1 {
/**
 * Its id or name.
 */
runtime: string
}

export interface TenantRuntimeListReplyV1 {
items: Runtime[]
nextCursor: (string | null)
}

export interface TenantRuntimeListRequestV1 {
limit: number
cursor?: string
includeDisabled?: boolean
}

export interface TenantRuntimeModulesReplyV1 {
/**
 * The Odoo series the runtime serves.
 */
odooVersion: ("16.0" | "17.0" | "18.0")
runtimeId: string
/**
 * @maxItems 20000
 */
modules: string[]
}

export interface TenantRuntimeModulesRequestV1 {
/**
 * The Odoo series the runtime serves.
 */
odooVersion: ("16.0" | "17.0" | "18.0")
}

export interface TenantRuntimeRegisterReplyV1 {
runtime: Runtime
}

export interface TenantRuntimeRegisterRequestV1 {
/**
 * 1 to 40 lowercase letters, digits and hyphens, starting with a letter.
 */
name: string
/**
 * The Odoo series the runtime serves.
 */
odooVersion: ("16.0" | "17.0" | "18.0")
rpcUrl: string
/**
 * The address of the runtime's gevent port (Odoo's gevent_port, for /websocket and /longpolling/); the rpcUrl's host with port 8072 when left out.
 */
websocketUrl?: string
masterPassword: string
/**
 * The database server the runtime's Odoo connects to; the default server when left out.
 */
databaseServerId?: string
/**
 * The PostgreSQL role the runtime's Odoo connects as: it owns the tenants' databases.
 */
dbRole: string
/**
 * Absolute path of the runtime's <data_dir>/filestore as the tenant service sees it.
 */
filestorePath: string
maxTenants?: number
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantRuntimeTemplateReplyV1 {
runtime: Runtime
}

export interface TenantRuntimeTemplateRequestV1 {
runtimeId: string
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantServerListReplyV1 {
/**
 * @maxItems 1000
 */
items: DatabaseServer[]
}

export interface TenantServerListRequestV1 {

}

export interface TenantServerRegisterReplyV1 {
server: DatabaseServer
}

export interface TenantServerRegisterRequestV1 {
/**
 * Lowercase letters, digits and hyphens; the backup service finds its admin URL under this name in BACKUP_DB_SERVERS.
 */
name: string
adminUrl: string
maxTenants?: number
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantStatsReplyV1 {
byState: {
pending: number
provisioning: number
active: number
suspended: number
failed: number
restoring: number
migrating: number
deleting: number
deleted: number
}
total: number
}

export interface TenantStatsRequestV1 {
/**
 * Only these tenants (an operator limited to them).
 * 
 * @maxItems 1000
 */
tenantIds?: string[]
}

export interface TenantSuspendReplyV1 {
tenant: Tenant
operation: Operation
}

export interface TenantSuspendRequestV1 {
tenantId: string
reason: ("billing" | "quota" | "trial" | "manual")
/**
 * Who asked, for the record.
 */
actor?: string
}

export interface TenantUndeleteReplyV1 {
tenant: Tenant
}

export interface TenantUndeleteRequestV1 {
tenantId: string
/**
 * Who asked, for the record.
 */
actor?: string
}
