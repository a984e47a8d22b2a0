# OKE workload identity: no dynamic group (those hold instances and functions, not pods) and no
# annotation on the service account: the policy names the cluster, the namespace and the service
# account, whose pods may then read, write and delete the backup bucket's objects and nothing
# else. SDKs that speak OCI's own API use it (OCI's resource principal for workloads); the
# backup service's S3 client uses a Customer Secret Key instead (the S3-compatible API takes
# nothing else), made for an IAM user whose group holds the same rights.

resource "oci_identity_policy" "backup_workload" {
  compartment_id = var.compartment_id
  name           = "ocp-backup-workload"
  description    = "The OCP backup service account of the OKE cluster may use the backup bucket"
  statements = [
    "Allow any-user to manage objects in compartment id ${var.compartment_id} where all { request.principal.type = 'workload', request.principal.cluster_id = '${var.oke_cluster_id}', request.principal.namespace = '${var.namespace}', request.principal.service_account = '${var.service_account}', target.bucket.name = '${var.bucket_name}' }",
    "Allow any-user to read buckets in compartment id ${var.compartment_id} where all { request.principal.type = 'workload', request.principal.cluster_id = '${var.oke_cluster_id}', request.principal.namespace = '${var.namespace}', request.principal.service_account = '${var.service_account}', target.bucket.name = '${var.bucket_name}' }",
  ]
}

resource "oci_identity_group" "backup" {
  compartment_id = var.tenancy_id
  name           = "ocp-backup"
  description    = "The OCP backup service's S3-compatible access to the backup bucket"
}

resource "oci_identity_policy" "backup_group" {
  compartment_id = var.compartment_id
  name           = "ocp-backup-group"
  description    = "The ocp-backup group may use the backup bucket"
  statements = [
    "Allow group ocp-backup to manage objects in compartment id ${var.compartment_id} where target.bucket.name = '${var.bucket_name}'",
    "Allow group ocp-backup to read buckets in compartment id ${var.compartment_id} where target.bucket.name = '${var.bucket_name}'",
  ]
  depends_on = [oci_identity_group.backup]
}

resource "oci_identity_user" "backup" {
  compartment_id = var.tenancy_id
  name           = "ocp-backup"
  description    = "The OCP backup service (S3-compatible API only)"
  email          = var.backup_user_email
}

resource "oci_identity_user_group_membership" "backup" {
  group_id = oci_identity_group.backup.id
  user_id  = oci_identity_user.backup.id
}

resource "oci_identity_user_capabilities_management" "backup" {
  user_id                      = oci_identity_user.backup.id
  can_use_api_keys             = false
  can_use_auth_tokens          = false
  can_use_console_password     = false
  can_use_customer_secret_keys = true
  can_use_smtp_credentials     = false
}

resource "oci_identity_customer_secret_key" "backup" {
  display_name = "ocp-backup"
  user_id      = oci_identity_user.backup.id
}
