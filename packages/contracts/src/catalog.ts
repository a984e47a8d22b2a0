import type {
  AuditCheckpointV1,
  AuditQueryReplyV1,
  AuditQueryRequestV1,
  AuditRequestV1,
  AuditVerifyReplyV1,
  AuditVerifyRequestV1,
  BackupCompletedV1,
  BackupCreateReplyV1,
  BackupCreateRequestV1,
  BackupDrilledV1,
  BackupDrillReplyV1,
  BackupDrillRequestV1,
  BackupFailedV1,
  BackupFinalReplyV1,
  BackupFinalRequestV1,
  BackupGetReplyV1,
  BackupGetRequestV1,
  BackupListReplyV1,
  BackupListRequestV1,
  BackupMoveReplyV1,
  BackupMoveRequestV1,
  BackupOperationGetReplyV1,
  BackupOperationGetRequestV1,
  BackupOperationListReplyV1,
  BackupOperationListRequestV1,
  BackupOperationRunV1,
  BackupOverdueReplyV1,
  BackupOverdueRequestV1,
  BackupPrunedV1,
  BackupRestoreReplyV1,
  BackupRestoreRequestV1,
  BackupTransferReplyV1,
  BackupTransferRequestV1,
  BackupWindowGetReplyV1,
  BackupWindowGetRequestV1,
  BackupWindowSetReplyV1,
  BackupWindowSetRequestV1,
  BillingCheckoutCreateReplyV1,
  BillingCheckoutCreateRequestV1,
  BillingPortalCreateReplyV1,
  BillingPortalCreateRequestV1,
  BillingSubscriptionChangedV1,
  BillingSubscriptionsGetReplyV1,
  BillingSubscriptionsGetRequestV1,
  BillingTenantAccessChangedV1,
  BillingTenantPlanChangedV1,
  BillingWebhookReceivedV1,
  BillingWebhookRejectedV1,
  BillingWebhooksListReplyV1,
  BillingWebhooksListRequestV1,
  OperationGetReplyV1,
  OperationGetRequestV1,
  OperationListReplyV1,
  OperationListRequestV1,
  OperationUpdatedV1,
  QuotaBackUnderV1,
  QuotaEnforcementChangedV1,
  QuotaExceededV1,
  QuotaMeasureNowReplyV1,
  QuotaMeasureNowRequestV1,
  QuotaModuleCheckReplyV1,
  QuotaModuleCheckRequestV1,
  QuotaOverridesDeleteReplyV1,
  QuotaOverridesDeleteRequestV1,
  QuotaOverridesPutReplyV1,
  QuotaOverridesPutRequestV1,
  QuotaPlanChangedV1,
  QuotaPlansDeleteReplyV1,
  QuotaPlansDeleteRequestV1,
  QuotaPlansGetReplyV1,
  QuotaPlansGetRequestV1,
  QuotaPlansListReplyV1,
  QuotaPlansListRequestV1,
  QuotaPlansPutReplyV1,
  QuotaPlansPutRequestV1,
  QuotaTenantAccessChangedV1,
  QuotaTenantGetReplyV1,
  QuotaTenantGetRequestV1,
  QuotaTrialEndedV1,
  QuotaTrialEndingV1,
  QuotaTrialPutReplyV1,
  QuotaTrialPutRequestV1,
  QuotaUsageHistoryReplyV1,
  QuotaUsageHistoryRequestV1,
  QuotaUsageReportedV1,
  QuotaWarningV1,
  TenantActivatedV1,
  TenantBackupSourceReplyV1,
  TenantBackupSourceRequestV1,
  TenantCreatedV1,
  TenantCreateReplyV1,
  TenantCreateRequestV1,
  TenantDeletedV1,
  TenantDeleteReplyV1,
  TenantDeleteRequestV1,
  TenantDeletingV1,
  TenantDeletionCancelledV1,
  TenantDomainRemovedV1,
  TenantDomainsAddReplyV1,
  TenantDomainsAddRequestV1,
  TenantDomainsListReplyV1,
  TenantDomainsListRequestV1,
  TenantDomainsRemoveReplyV1,
  TenantDomainsRemoveRequestV1,
  TenantDomainsVerifyReplyV1,
  TenantDomainsVerifyRequestV1,
  TenantDomainVerifiedV1,
  TenantDuplicateReplyV1,
  TenantDuplicateRequestV1,
  TenantGetReplyV1,
  TenantGetRequestV1,
  TenantListReplyV1,
  TenantListRequestV1,
  TenantModuleInstalledV1,
  TenantModuleReplyV1,
  TenantModuleRequestV1,
  TenantModulesListReplyV1,
  TenantModulesListRequestV1,
  TenantModuleUninstalledV1,
  TenantModuleUpgradedV1,
  TenantMovedV1,
  TenantOperationRunV1,
  TenantPlanChangedV1,
  TenantProvisioningFailedV1,
  TenantProvisioningV1,
  TenantRenamedV1,
  TenantRenameReplyV1,
  TenantRenameRequestV1,
  TenantRestoreBeginReplyV1,
  TenantRestoreBeginRequestV1,
  TenantRestoredV1,
  TenantRestoreEndReplyV1,
  TenantRestoreEndRequestV1,
  TenantRestoringV1,
  TenantResumedV1,
  TenantResumeReplyV1,
  TenantResumeRequestV1,
  TenantRetryReplyV1,
  TenantRetryRequestV1,
  TenantRoutesGetReplyV1,
  TenantRoutesGetRequestV1,
  TenantRoutesListReplyV1,
  TenantRoutesListRequestV1,
  TenantRuntimeDisableReplyV1,
  TenantRuntimeDisableRequestV1,
  TenantRuntimeGetReplyV1,
  TenantRuntimeGetRequestV1,
  TenantRuntimeListReplyV1,
  TenantRuntimeListRequestV1,
  TenantRuntimeModulesReplyV1,
  TenantRuntimeModulesRequestV1,
  TenantRuntimeRegisterReplyV1,
  TenantRuntimeRegisterRequestV1,
  TenantRuntimeTemplateReplyV1,
  TenantRuntimeTemplateRequestV1,
  TenantServerListReplyV1,
  TenantServerListRequestV1,
  TenantServerRegisterReplyV1,
  TenantServerRegisterRequestV1,
  TenantStatsReplyV1,
  TenantStatsRequestV1,
  TenantSuspendedV1,
  TenantSuspendReplyV1,
  TenantSuspendRequestV1,
  TenantSuspensionReasonClearedV1,
  TenantUndeleteReplyV1,
  TenantUndeleteRequestV1,
} from './generated/types.ts';

/** A JetStream stream: the subjects it captures and how long it keeps them. */
export interface StreamDef {
  name: string;
  subjects: string[];
  description: string;
  /** `workqueue`: a message is gone once a consumer acks it; `limits`: kept for `maxAgeDays`. */
  retention: 'limits' | 'workqueue';
  /** 0: kept for ever. */
  maxAgeDays: number;
  /**
   * No message can be deleted (`deny_delete`), nor the stream purged (`deny_purge`): once set, the
   * server refuses an update that turns either off.
   */
  denyDelete?: boolean;
  denyPurge?: boolean;
  /**
   * Services that read single messages of the stream by sequence or subject (`$JS.API.STREAM.MSG.GET`,
   * direct get), beside what they consume: their NATS permissions are made from this.
   */
  readers?: readonly string[];
  /**
   * Services that publish to the stream records not listed in `messages` (`<stream subject>` as
   * written in `subjects`): their NATS permissions are made from this.
   */
  writers?: readonly string[];
  /**
   * Services that follow the whole stream through ordered consumers of their own (ephemeral, in
   * memory, no acks), as the gateway does for its live event feed: their NATS permissions are made
   * from this. They never touch a durable of the catalog.
   */
  followers?: readonly string[];
}

/** Every stream the platform uses. Names and subjects are made here and nowhere else. */
export const streams = {
  tenantEvents: {
    name: 'EVENTS_TENANT',
    subjects: ['events.tenant.>'],
    description: 'Tenant lifecycle events, for any system that wants to follow tenants.',
    retention: 'limits',
    maxAgeDays: 30,
    // The gateway's live feed (GET /api/v1/events); the router, which reads any tenant's event as
    // "this tenant's route may have changed".
    followers: ['gateway', 'router'],
  },
  operationEvents: {
    name: 'EVENTS_OPERATION',
    subjects: ['events.operation.>'],
    description: 'Progress of long-running operations.',
    retention: 'limits',
    maxAgeDays: 7,
    followers: ['gateway'],
  },
  tenantWork: {
    name: 'WORK_TENANT',
    subjects: ['work.tenant.>'],
    description: 'Work queue of the tenant workers (provision, suspend, resume, delete).',
    retention: 'workqueue',
    maxAgeDays: 7,
  },
  audit: {
    name: 'AUDIT',
    subjects: ['audit.>'],
    description: 'What the gateway saw: every mutating request and every refused one, for the audit log.',
    retention: 'limits',
    maxAgeDays: 30,
  },
  webhooks: {
    name: 'WEBHOOKS',
    subjects: ['webhooks.>'],
    description: 'Provider webhooks the gateway verified (and the ones it refused), for the billing service.',
    retention: 'limits',
    maxAgeDays: 30,
  },
  billingEvents: {
    name: 'EVENTS_BILLING',
    subjects: ['events.billing.>'],
    description: 'Subscription changes and billing decisions about tenants.',
    retention: 'limits',
    maxAgeDays: 30,
  },
  auditCheckpoints: {
    name: 'AUDIT_CHECKPOINTS',
    subjects: ['checkpoints.audit.>'],
    description:
      'Signed checkpoints of the audit chain head, outside the audit database: a log cut back there no longer matches them.',
    retention: 'limits',
    maxAgeDays: 0,
    denyDelete: true,
    denyPurge: true,
    // The audit service reads the last checkpoint back by subject before it signs or verifies.
    readers: ['audit'],
  },
  backupEvents: {
    name: 'EVENTS_BACKUP',
    subjects: ['events.backup.>'],
    description: 'Backups taken, failed, drilled and pruned.',
    retention: 'limits',
    maxAgeDays: 30,
    followers: ['gateway'],
  },
  backupWork: {
    name: 'WORK_BACKUP',
    subjects: ['work.backup.>'],
    description: 'Work queue of the backup workers (backups, restores, drills, imports).',
    retention: 'workqueue',
    maxAgeDays: 7,
  },
  quotaEvents: {
    name: 'EVENTS_QUOTA',
    subjects: ['events.quota.>'],
    description:
      'The plan catalog, usage thresholds crossed, enforcement and trial decisions, metered usage reported.',
    retention: 'limits',
    maxAgeDays: 30,
  },
  deadLetters: {
    name: 'DEAD_LETTERS',
    subjects: ['deadletter.>'],
    description: 'Messages a consumer terminated (schema failures, permanent errors), with the reason.',
    retention: 'limits',
    maxAgeDays: 30,
  },
} as const satisfies Record<string, StreamDef>;

/** A message carried on JetStream in a CloudEvents envelope: an event or a work command. */
export interface MessageDef {
  subject: string;
  stream: StreamDef;
  /** Key of the data schema in `proto-schemas/`. */
  schema: string;
  kind: 'event' | 'command';
  publisher: string;
  consumers: readonly string[];
}

const tenantEvent = (name: string, consumers: readonly string[] = ['audit', 'billing', 'backup', 'quota']) =>
  ({
    subject: `events.tenant.${name}.v1`,
    stream: streams.tenantEvents,
    schema: `events/tenant.${name}.v1`,
    kind: 'event',
    publisher: 'tenant',
    consumers,
  }) as const;

const backupEvent = (name: string, consumers: readonly string[] = ['audit']) =>
  ({
    subject: `events.backup.${name}.v1`,
    stream: streams.backupEvents,
    schema: `events/backup.${name}.v1`,
    kind: 'event',
    publisher: 'backup',
    consumers,
  }) as const;

const quotaEvent = (name: string, consumers: readonly string[] = ['audit']) =>
  ({
    subject: `events.quota.${name}.v1`,
    stream: streams.quotaEvents,
    schema: `events/quota.${name}.v1`,
    kind: 'event',
    publisher: 'quota',
    consumers,
  }) as const;

/** Every CloudEvents type the platform publishes, with its subject, stream and data schema. */
export const messages = {
  'ocp.tenant.created.v1': tenantEvent('created'),
  'ocp.tenant.provisioning.v1': tenantEvent('provisioning'),
  'ocp.tenant.activated.v1': tenantEvent('activated'),
  'ocp.tenant.provisioning_failed.v1': tenantEvent('provisioning_failed'),
  'ocp.tenant.suspended.v1': tenantEvent('suspended'),
  'ocp.tenant.suspension_reason_cleared.v1': tenantEvent('suspension_reason_cleared'),
  'ocp.tenant.resumed.v1': tenantEvent('resumed'),
  'ocp.tenant.deleting.v1': tenantEvent('deleting'),
  'ocp.tenant.deleted.v1': tenantEvent('deleted'),
  'ocp.tenant.plan_changed.v1': tenantEvent('plan_changed'),
  'ocp.tenant.renamed.v1': tenantEvent('renamed', ['audit', 'quota']),
  'ocp.tenant.module_installed.v1': tenantEvent('module_installed', ['audit']),
  'ocp.tenant.module_upgraded.v1': tenantEvent('module_upgraded', ['audit']),
  'ocp.tenant.module_uninstalled.v1': tenantEvent('module_uninstalled', ['audit']),
  'ocp.tenant.deletion_cancelled.v1': tenantEvent('deletion_cancelled'),
  'ocp.tenant.restoring.v1': tenantEvent('restoring', ['audit', 'backup', 'quota']),
  'ocp.tenant.moved.v1': tenantEvent('moved', ['audit', 'backup', 'quota']),
  'ocp.tenant.restored.v1': tenantEvent('restored', ['audit', 'billing', 'backup', 'quota']),
  'ocp.tenant.domain_verified.v1': tenantEvent('domain_verified', ['audit']),
  'ocp.tenant.domain_removed.v1': tenantEvent('domain_removed', ['audit']),
  // The quota service adds up each tenant's backup storage.
  'ocp.backup.completed.v1': backupEvent('completed', ['audit', 'quota']),
  // The notifier tells Slack of failed backups and failed drills.
  'ocp.backup.failed.v1': backupEvent('failed', ['audit', 'notifier']),
  'ocp.backup.pruned.v1': backupEvent('pruned', ['audit', 'quota']),
  'ocp.backup.drilled.v1': backupEvent('drilled', ['audit', 'notifier']),
  'ocp.backup.operation_updated.v1': {
    subject: 'events.operation.backup.updated.v1',
    stream: streams.operationEvents,
    schema: 'events/operation.updated.v1',
    kind: 'event',
    publisher: 'backup',
    consumers: ['audit', 'notifier'],
  },
  'ocp.backup.operation.run.v1': {
    subject: 'work.backup.operation.run.v1',
    stream: streams.backupWork,
    schema: 'commands/backup.operation.run.v1',
    kind: 'command',
    publisher: 'backup',
    consumers: ['backup'],
  },
  'ocp.operation.updated.v1': {
    subject: 'events.operation.updated.v1',
    stream: streams.operationEvents,
    schema: 'events/operation.updated.v1',
    kind: 'event',
    publisher: 'tenant',
    consumers: ['audit', 'notifier'],
  },
  'ocp.billing.webhook_received.v1': {
    subject: 'webhooks.received.v1',
    stream: streams.webhooks,
    schema: 'events/billing.webhook_received.v1',
    kind: 'event',
    publisher: 'gateway',
    consumers: ['billing'],
  },
  'ocp.billing.webhook_rejected.v1': {
    subject: 'webhooks.rejected.v1',
    stream: streams.webhooks,
    schema: 'events/billing.webhook_rejected.v1',
    kind: 'event',
    publisher: 'gateway',
    consumers: ['billing'],
  },
  'ocp.billing.subscription_changed.v1': {
    subject: 'events.billing.subscription_changed.v1',
    stream: streams.billingEvents,
    schema: 'events/billing.subscription_changed.v1',
    kind: 'event',
    publisher: 'billing',
    // The tenant service keeps each tenant's customer id, for the tenant list's search; the quota
    // service whether a tenant pays (its trial's end) and its provider ids (metered usage).
    consumers: ['tenant', 'audit', 'quota'],
  },
  'ocp.billing.tenant_access_changed.v1': {
    subject: 'events.billing.tenant_access_changed.v1',
    stream: streams.billingEvents,
    schema: 'events/billing.tenant_access_changed.v1',
    kind: 'event',
    publisher: 'billing',
    consumers: ['tenant', 'audit'],
  },
  'ocp.billing.tenant_plan_changed.v1': {
    subject: 'events.billing.tenant_plan_changed.v1',
    stream: streams.billingEvents,
    schema: 'events/billing.tenant_plan_changed.v1',
    kind: 'event',
    publisher: 'billing',
    consumers: ['tenant', 'audit'],
  },
  'ocp.audit.request.v1': {
    subject: 'audit.request.v1',
    stream: streams.audit,
    schema: 'events/audit.request.v1',
    kind: 'event',
    publisher: 'gateway',
    consumers: ['audit'],
  },
  'ocp.audit.checkpoint.v1': {
    subject: 'checkpoints.audit.v1',
    stream: streams.auditCheckpoints,
    schema: 'events/audit.checkpoint.v1',
    kind: 'event',
    publisher: 'audit',
    // Nobody consumes them: the audit service reads the last one back (see the stream's readers).
    consumers: [],
  },
  'ocp.tenant.operation.run.v1': {
    subject: 'work.tenant.operation.run.v1',
    stream: streams.tenantWork,
    schema: 'commands/tenant.operation.run.v1',
    kind: 'command',
    publisher: 'tenant',
    consumers: ['tenant'],
  },
  // The tenant service keeps the plan catalog (allowed modules, default modules) and applies the
  // quota service's decisions.
  'ocp.quota.plan_changed.v1': quotaEvent('plan_changed', ['audit', 'tenant']),
  'ocp.quota.warning.v1': quotaEvent('warning'),
  'ocp.quota.exceeded.v1': quotaEvent('exceeded'),
  'ocp.quota.back_under.v1': quotaEvent('back_under'),
  'ocp.quota.enforcement_changed.v1': quotaEvent('enforcement_changed', ['audit', 'tenant']),
  'ocp.quota.tenant_access_changed.v1': quotaEvent('tenant_access_changed', ['audit', 'tenant']),
  'ocp.quota.trial_ending.v1': quotaEvent('trial_ending'),
  'ocp.quota.trial_ended.v1': quotaEvent('trial_ended'),
  'ocp.quota.usage_reported.v1': quotaEvent('usage_reported'),
} as const satisfies Record<string, MessageDef>;

export type MessageType = keyof typeof messages;

/** The data type of each message type. */
export interface MessageDataMap {
  'ocp.tenant.created.v1': TenantCreatedV1;
  'ocp.tenant.provisioning.v1': TenantProvisioningV1;
  'ocp.tenant.activated.v1': TenantActivatedV1;
  'ocp.tenant.provisioning_failed.v1': TenantProvisioningFailedV1;
  'ocp.tenant.suspended.v1': TenantSuspendedV1;
  'ocp.tenant.suspension_reason_cleared.v1': TenantSuspensionReasonClearedV1;
  'ocp.tenant.resumed.v1': TenantResumedV1;
  'ocp.tenant.deleting.v1': TenantDeletingV1;
  'ocp.tenant.deleted.v1': TenantDeletedV1;
  'ocp.operation.updated.v1': OperationUpdatedV1;
  'ocp.tenant.operation.run.v1': TenantOperationRunV1;
  'ocp.audit.request.v1': AuditRequestV1;
  'ocp.audit.checkpoint.v1': AuditCheckpointV1;
  'ocp.tenant.plan_changed.v1': TenantPlanChangedV1;
  'ocp.tenant.renamed.v1': TenantRenamedV1;
  'ocp.tenant.module_installed.v1': TenantModuleInstalledV1;
  'ocp.tenant.module_upgraded.v1': TenantModuleUpgradedV1;
  'ocp.tenant.module_uninstalled.v1': TenantModuleUninstalledV1;
  'ocp.billing.webhook_received.v1': BillingWebhookReceivedV1;
  'ocp.billing.webhook_rejected.v1': BillingWebhookRejectedV1;
  'ocp.billing.subscription_changed.v1': BillingSubscriptionChangedV1;
  'ocp.billing.tenant_access_changed.v1': BillingTenantAccessChangedV1;
  'ocp.billing.tenant_plan_changed.v1': BillingTenantPlanChangedV1;
  'ocp.tenant.deletion_cancelled.v1': TenantDeletionCancelledV1;
  'ocp.tenant.restoring.v1': TenantRestoringV1;
  'ocp.tenant.moved.v1': TenantMovedV1;
  'ocp.tenant.restored.v1': TenantRestoredV1;
  'ocp.tenant.domain_verified.v1': TenantDomainVerifiedV1;
  'ocp.tenant.domain_removed.v1': TenantDomainRemovedV1;
  'ocp.backup.completed.v1': BackupCompletedV1;
  'ocp.backup.failed.v1': BackupFailedV1;
  'ocp.backup.pruned.v1': BackupPrunedV1;
  'ocp.backup.drilled.v1': BackupDrilledV1;
  'ocp.backup.operation_updated.v1': OperationUpdatedV1;
  'ocp.backup.operation.run.v1': BackupOperationRunV1;
  'ocp.quota.plan_changed.v1': QuotaPlanChangedV1;
  'ocp.quota.warning.v1': QuotaWarningV1;
  'ocp.quota.exceeded.v1': QuotaExceededV1;
  'ocp.quota.back_under.v1': QuotaBackUnderV1;
  'ocp.quota.enforcement_changed.v1': QuotaEnforcementChangedV1;
  'ocp.quota.tenant_access_changed.v1': QuotaTenantAccessChangedV1;
  'ocp.quota.trial_ending.v1': QuotaTrialEndingV1;
  'ocp.quota.trial_ended.v1': QuotaTrialEndedV1;
  'ocp.quota.usage_reported.v1': QuotaUsageReportedV1;
}

/** A durable consumer a service keeps on a stream, shared by every replica of the service. */
export interface DurableDef {
  durable: string;
  stream: StreamDef;
  service: string;
}

/**
 * Every durable consumer of the platform. A service may create, read and ack only its own (its NATS
 * permissions are made from this list), so a consumer not listed here is refused by the server.
 */
export const durables = {
  tenantWorker: { durable: 'tenant-worker', stream: streams.tenantWork, service: 'tenant' },
  tenantBilling: { durable: 'tenant-billing', stream: streams.billingEvents, service: 'tenant' },
  billingTenants: { durable: 'billing-tenants', stream: streams.tenantEvents, service: 'billing' },
  billingWebhooks: { durable: 'billing-webhooks', stream: streams.webhooks, service: 'billing' },
  auditTenantEvents: { durable: 'audit-tenant-events', stream: streams.tenantEvents, service: 'audit' },
  auditOperationEvents: {
    durable: 'audit-operation-events',
    stream: streams.operationEvents,
    service: 'audit',
  },
  auditRequests: { durable: 'audit-requests', stream: streams.audit, service: 'audit' },
  auditBillingEvents: { durable: 'audit-billing-events', stream: streams.billingEvents, service: 'audit' },
  auditBackupEvents: { durable: 'audit-backup-events', stream: streams.backupEvents, service: 'audit' },
  backupWorker: { durable: 'backup-worker', stream: streams.backupWork, service: 'backup' },
  backupTenants: { durable: 'backup-tenants', stream: streams.tenantEvents, service: 'backup' },
  notifierOperationEvents: {
    durable: 'notifier-operation-events',
    stream: streams.operationEvents,
    service: 'notifier',
  },
  notifierBackupEvents: {
    durable: 'notifier-backup-events',
    stream: streams.backupEvents,
    service: 'notifier',
  },
  quotaTenants: { durable: 'quota-tenants', stream: streams.tenantEvents, service: 'quota' },
  quotaBackupEvents: { durable: 'quota-backup-events', stream: streams.backupEvents, service: 'quota' },
  quotaBilling: { durable: 'quota-billing', stream: streams.billingEvents, service: 'quota' },
  tenantQuota: { durable: 'tenant-quota', stream: streams.quotaEvents, service: 'tenant' },
  auditQuotaEvents: { durable: 'audit-quota-events', stream: streams.quotaEvents, service: 'audit' },
} as const satisfies Record<string, DurableDef>;

/** A request/reply subject: short queries and commands from the gateway. */
export interface RpcDef {
  subject: string;
  request: string;
  reply: string;
  server: string;
  clients: readonly string[];
}

const tenantRpc = (name: string, clients: readonly string[] = ['gateway']) =>
  ({
    subject: `rpc.tenant.${name}.v1`,
    request: `rpc/tenant.${name}.v1.request`,
    reply: `rpc/tenant.${name}.v1.reply`,
    server: 'tenant',
    clients,
  }) as const;

const backupRpc = (name: string) =>
  ({
    subject: `rpc.backup.${name}.v1`,
    request: `rpc/backup.${name}.v1.request`,
    reply: `rpc/backup.${name}.v1.reply`,
    server: 'backup',
    clients: ['gateway'],
  }) as const;

const quotaRpc = (name: string, clients: readonly string[] = ['gateway']) =>
  ({
    subject: `rpc.quota.${name}.v1`,
    request: `rpc/quota.${name}.v1.request`,
    reply: `rpc/quota.${name}.v1.reply`,
    server: 'quota',
    clients,
  }) as const;

/** Every request/reply method, served by one service in a queue group. */
export const rpcs = {
  'tenant.create.v1': tenantRpc('create'),
  // The notifier names a failing tenant by its slug.
  'tenant.get.v1': tenantRpc('get', ['gateway', 'notifier']),
  'tenant.list.v1': tenantRpc('list'),
  'tenant.stats.v1': tenantRpc('stats'),
  'tenant.suspend.v1': tenantRpc('suspend'),
  'tenant.resume.v1': tenantRpc('resume'),
  'tenant.delete.v1': tenantRpc('delete'),
  'tenant.retry.v1': tenantRpc('retry'),
  'tenant.runtime.register.v1': tenantRpc('runtime.register'),
  'tenant.runtime.get.v1': tenantRpc('runtime.get'),
  'tenant.runtime.list.v1': tenantRpc('runtime.list'),
  'tenant.runtime.disable.v1': tenantRpc('runtime.disable'),
  'tenant.runtime.template.v1': tenantRpc('runtime.template'),
  'tenant.modules.list.v1': tenantRpc('modules.list'),
  'tenant.module.v1': tenantRpc('module'),
  'tenant.duplicate.v1': tenantRpc('duplicate'),
  'tenant.rename.v1': tenantRpc('rename'),
  'tenant.restore.begin.v1': tenantRpc('restore.begin', ['backup']),
  'tenant.restore.end.v1': tenantRpc('restore.end', ['backup']),
  // The quota service measures a tenant's database and filestore where this says they are.
  'tenant.backup.source.v1': tenantRpc('backup.source', ['backup', 'quota']),
  // The quota service checks a plan's module names against what its Odoo version offers.
  'tenant.runtime.modules.v1': tenantRpc('runtime.modules', ['quota']),
  'quota.plans.list.v1': quotaRpc('plans.list'),
  'quota.plans.get.v1': quotaRpc('plans.get'),
  'quota.plans.put.v1': quotaRpc('plans.put'),
  'quota.plans.delete.v1': quotaRpc('plans.delete'),
  'quota.overrides.put.v1': quotaRpc('overrides.put'),
  'quota.overrides.delete.v1': quotaRpc('overrides.delete'),
  'quota.tenant.get.v1': quotaRpc('tenant.get'),
  'quota.usage.history.v1': quotaRpc('usage.history'),
  'quota.trial.put.v1': quotaRpc('trial.put'),
  'quota.measure.now.v1': quotaRpc('measure.now'),
  'quota.module.check.v1': quotaRpc('module.check', ['tenant', 'gateway']),
  'backup.create.v1': backupRpc('create'),
  'backup.list.v1': backupRpc('list'),
  'backup.get.v1': backupRpc('get'),
  'backup.restore.v1': backupRpc('restore'),
  'backup.drill.v1': backupRpc('drill'),
  'backup.operation.get.v1': backupRpc('operation.get'),
  'backup.operation.list.v1': backupRpc('operation.list'),
  'backup.overdue.v1': backupRpc('overdue'),
  'backup.transfer.v1': backupRpc('transfer'),
  'backup.final.v1': { ...backupRpc('final'), clients: ['tenant'] },
  'backup.window.get.v1': backupRpc('window.get'),
  'backup.window.set.v1': backupRpc('window.set'),
  'tenant.undelete.v1': tenantRpc('undelete'),
  'tenant.server.register.v1': tenantRpc('server.register'),
  'tenant.server.list.v1': tenantRpc('server.list'),
  'tenant.domains.list.v1': tenantRpc('domains.list'),
  'tenant.domains.add.v1': tenantRpc('domains.add'),
  'tenant.domains.verify.v1': tenantRpc('domains.verify'),
  'tenant.domains.remove.v1': tenantRpc('domains.remove'),
  // The router renders the NGINX configuration from these.
  'tenant.routes.list.v1': tenantRpc('routes.list', ['router', 'gateway']),
  'tenant.routes.get.v1': tenantRpc('routes.get', ['router', 'gateway']),
  'backup.move.v1': backupRpc('move'),
  'audit.query.v1': {
    subject: 'rpc.audit.query.v1',
    request: 'rpc/audit.query.v1.request',
    reply: 'rpc/audit.query.v1.reply',
    server: 'audit',
    clients: ['gateway'],
  },
  'audit.verify.v1': {
    subject: 'rpc.audit.verify.v1',
    request: 'rpc/audit.verify.v1.request',
    reply: 'rpc/audit.verify.v1.reply',
    server: 'audit',
    clients: ['gateway'],
  },
  'billing.subscriptions.get.v1': {
    subject: 'rpc.billing.subscriptions.get.v1',
    request: 'rpc/billing.subscriptions.get.v1.request',
    reply: 'rpc/billing.subscriptions.get.v1.reply',
    server: 'billing',
    clients: ['gateway'],
  },
  'billing.webhooks.list.v1': {
    subject: 'rpc.billing.webhooks.list.v1',
    request: 'rpc/billing.webhooks.list.v1.request',
    reply: 'rpc/billing.webhooks.list.v1.reply',
    server: 'billing',
    clients: ['gateway'],
  },
  'billing.checkout.create.v1': {
    subject: 'rpc.billing.checkout.create.v1',
    request: 'rpc/billing.checkout.create.v1.request',
    reply: 'rpc/billing.checkout.create.v1.reply',
    server: 'billing',
    clients: ['gateway'],
  },
  'billing.portal.create.v1': {
    subject: 'rpc.billing.portal.create.v1',
    request: 'rpc/billing.portal.create.v1.request',
    reply: 'rpc/billing.portal.create.v1.reply',
    server: 'billing',
    clients: ['gateway'],
  },
  'operation.get.v1': {
    subject: 'rpc.operation.get.v1',
    request: 'rpc/operation.get.v1.request',
    reply: 'rpc/operation.get.v1.reply',
    server: 'tenant',
    clients: ['gateway'],
  },
  'operation.list.v1': {
    subject: 'rpc.operation.list.v1',
    request: 'rpc/operation.list.v1.request',
    reply: 'rpc/operation.list.v1.reply',
    server: 'tenant',
    clients: ['gateway'],
  },
} as const satisfies Record<string, RpcDef>;

export type RpcName = keyof typeof rpcs;

/** Request and reply types of each method. */
export interface RpcMap {
  'tenant.create.v1': { request: TenantCreateRequestV1; reply: TenantCreateReplyV1 };
  'tenant.get.v1': { request: TenantGetRequestV1; reply: TenantGetReplyV1 };
  'tenant.list.v1': { request: TenantListRequestV1; reply: TenantListReplyV1 };
  'tenant.stats.v1': { request: TenantStatsRequestV1; reply: TenantStatsReplyV1 };
  'tenant.suspend.v1': { request: TenantSuspendRequestV1; reply: TenantSuspendReplyV1 };
  'tenant.resume.v1': { request: TenantResumeRequestV1; reply: TenantResumeReplyV1 };
  'tenant.delete.v1': { request: TenantDeleteRequestV1; reply: TenantDeleteReplyV1 };
  'tenant.retry.v1': { request: TenantRetryRequestV1; reply: TenantRetryReplyV1 };
  'tenant.runtime.register.v1': {
    request: TenantRuntimeRegisterRequestV1;
    reply: TenantRuntimeRegisterReplyV1;
  };
  'tenant.runtime.get.v1': { request: TenantRuntimeGetRequestV1; reply: TenantRuntimeGetReplyV1 };
  'tenant.runtime.list.v1': { request: TenantRuntimeListRequestV1; reply: TenantRuntimeListReplyV1 };
  'tenant.runtime.disable.v1': { request: TenantRuntimeDisableRequestV1; reply: TenantRuntimeDisableReplyV1 };
  'tenant.runtime.template.v1': {
    request: TenantRuntimeTemplateRequestV1;
    reply: TenantRuntimeTemplateReplyV1;
  };
  'tenant.modules.list.v1': { request: TenantModulesListRequestV1; reply: TenantModulesListReplyV1 };
  'tenant.module.v1': { request: TenantModuleRequestV1; reply: TenantModuleReplyV1 };
  'tenant.duplicate.v1': { request: TenantDuplicateRequestV1; reply: TenantDuplicateReplyV1 };
  'tenant.rename.v1': { request: TenantRenameRequestV1; reply: TenantRenameReplyV1 };
  'operation.get.v1': { request: OperationGetRequestV1; reply: OperationGetReplyV1 };
  'operation.list.v1': { request: OperationListRequestV1; reply: OperationListReplyV1 };
  'audit.query.v1': { request: AuditQueryRequestV1; reply: AuditQueryReplyV1 };
  'audit.verify.v1': { request: AuditVerifyRequestV1; reply: AuditVerifyReplyV1 };
  'billing.subscriptions.get.v1': {
    request: BillingSubscriptionsGetRequestV1;
    reply: BillingSubscriptionsGetReplyV1;
  };
  'billing.webhooks.list.v1': { request: BillingWebhooksListRequestV1; reply: BillingWebhooksListReplyV1 };
  'billing.checkout.create.v1': {
    request: BillingCheckoutCreateRequestV1;
    reply: BillingCheckoutCreateReplyV1;
  };
  'billing.portal.create.v1': { request: BillingPortalCreateRequestV1; reply: BillingPortalCreateReplyV1 };
  'tenant.restore.begin.v1': { request: TenantRestoreBeginRequestV1; reply: TenantRestoreBeginReplyV1 };
  'tenant.restore.end.v1': { request: TenantRestoreEndRequestV1; reply: TenantRestoreEndReplyV1 };
  'tenant.backup.source.v1': { request: TenantBackupSourceRequestV1; reply: TenantBackupSourceReplyV1 };
  'backup.create.v1': { request: BackupCreateRequestV1; reply: BackupCreateReplyV1 };
  'backup.list.v1': { request: BackupListRequestV1; reply: BackupListReplyV1 };
  'backup.get.v1': { request: BackupGetRequestV1; reply: BackupGetReplyV1 };
  'backup.restore.v1': { request: BackupRestoreRequestV1; reply: BackupRestoreReplyV1 };
  'backup.drill.v1': { request: BackupDrillRequestV1; reply: BackupDrillReplyV1 };
  'backup.operation.get.v1': { request: BackupOperationGetRequestV1; reply: BackupOperationGetReplyV1 };
  'backup.operation.list.v1': { request: BackupOperationListRequestV1; reply: BackupOperationListReplyV1 };
  'backup.overdue.v1': { request: BackupOverdueRequestV1; reply: BackupOverdueReplyV1 };
  'backup.transfer.v1': { request: BackupTransferRequestV1; reply: BackupTransferReplyV1 };
  'backup.final.v1': { request: BackupFinalRequestV1; reply: BackupFinalReplyV1 };
  'backup.window.get.v1': { request: BackupWindowGetRequestV1; reply: BackupWindowGetReplyV1 };
  'backup.window.set.v1': { request: BackupWindowSetRequestV1; reply: BackupWindowSetReplyV1 };
  'tenant.undelete.v1': { request: TenantUndeleteRequestV1; reply: TenantUndeleteReplyV1 };
  'tenant.server.register.v1': { request: TenantServerRegisterRequestV1; reply: TenantServerRegisterReplyV1 };
  'tenant.server.list.v1': { request: TenantServerListRequestV1; reply: TenantServerListReplyV1 };
  'tenant.domains.list.v1': { request: TenantDomainsListRequestV1; reply: TenantDomainsListReplyV1 };
  'tenant.domains.add.v1': { request: TenantDomainsAddRequestV1; reply: TenantDomainsAddReplyV1 };
  'tenant.domains.verify.v1': { request: TenantDomainsVerifyRequestV1; reply: TenantDomainsVerifyReplyV1 };
  'tenant.domains.remove.v1': { request: TenantDomainsRemoveRequestV1; reply: TenantDomainsRemoveReplyV1 };
  'tenant.routes.list.v1': { request: TenantRoutesListRequestV1; reply: TenantRoutesListReplyV1 };
  'tenant.routes.get.v1': { request: TenantRoutesGetRequestV1; reply: TenantRoutesGetReplyV1 };
  'backup.move.v1': { request: BackupMoveRequestV1; reply: BackupMoveReplyV1 };
  'quota.plans.list.v1': { request: QuotaPlansListRequestV1; reply: QuotaPlansListReplyV1 };
  'quota.plans.get.v1': { request: QuotaPlansGetRequestV1; reply: QuotaPlansGetReplyV1 };
  'quota.plans.put.v1': { request: QuotaPlansPutRequestV1; reply: QuotaPlansPutReplyV1 };
  'quota.plans.delete.v1': { request: QuotaPlansDeleteRequestV1; reply: QuotaPlansDeleteReplyV1 };
  'quota.overrides.put.v1': { request: QuotaOverridesPutRequestV1; reply: QuotaOverridesPutReplyV1 };
  'quota.overrides.delete.v1': { request: QuotaOverridesDeleteRequestV1; reply: QuotaOverridesDeleteReplyV1 };
  'quota.tenant.get.v1': { request: QuotaTenantGetRequestV1; reply: QuotaTenantGetReplyV1 };
  'quota.usage.history.v1': { request: QuotaUsageHistoryRequestV1; reply: QuotaUsageHistoryReplyV1 };
  'quota.trial.put.v1': { request: QuotaTrialPutRequestV1; reply: QuotaTrialPutReplyV1 };
  'quota.measure.now.v1': { request: QuotaMeasureNowRequestV1; reply: QuotaMeasureNowReplyV1 };
  'quota.module.check.v1': { request: QuotaModuleCheckRequestV1; reply: QuotaModuleCheckReplyV1 };
  'tenant.runtime.modules.v1': { request: TenantRuntimeModulesRequestV1; reply: TenantRuntimeModulesReplyV1 };
}

/** Base of every `$id` and `dataschema`. */
export const schemaBase = 'https://ocp.local/schemas/';
