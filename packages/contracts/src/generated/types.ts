// Generated from proto-schemas/ by `pnpm gen`. Do not edit.
/* eslint-disable */

export interface TenantOperationRunV1 {
operationId: string
tenantId: string
kind: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete")
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

export interface Operation {
id: string
kind: ("tenant.provision" | "tenant.suspend" | "tenant.resume" | "tenant.delete")
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
}

export interface RpcError {
error: {
code: string
message: string
field?: string
}
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
}

export interface OperationUpdatedV1 {
operation: Operation
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

export interface TenantProvisioningV1 {
tenant: Tenant
operationId: string
}

export interface TenantProvisioningFailedV1 {
tenant: Tenant
operationId: string
error: string
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

export interface OperationGetReplyV1 {
operation: Operation
}

export interface OperationGetRequestV1 {
operationId: string
}

export interface TenantCreateReplyV1 {
tenant: Tenant
operation: Operation
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
