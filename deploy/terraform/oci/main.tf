# The backup bucket on OCI Object Storage under a customer-managed Vault key. What Object Storage
# enforces by itself: every object is encrypted at rest, here with the bucket's Vault key whatever
# the upload asks, and its endpoints (native and S3-compatible) answer over TLS only.
# The backup service reaches the bucket through the S3-compatible API
# (https://<namespace>.compat.objectstorage.<region>.oraclecloud.com), which takes Customer Secret
# Keys only.

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.compartment_id
}

resource "oci_kms_vault" "backups" {
  compartment_id = var.compartment_id
  display_name   = "ocp-backups"
  vault_type     = "DEFAULT"
}

resource "oci_kms_key" "backups" {
  compartment_id      = var.compartment_id
  display_name        = "ocp-backups"
  management_endpoint = oci_kms_vault.backups.management_endpoint
  protection_mode     = "HSM"
  key_shape {
    algorithm = "AES"
    length    = 32
  }
  is_auto_rotation_enabled = true
  auto_key_rotation_details {
    rotation_interval_in_days = 90
  }
}

# Object Storage encrypts with the key on the bucket's behalf.
resource "oci_identity_policy" "objectstorage_key" {
  compartment_id = var.compartment_id
  name           = "ocp-backups-objectstorage-key"
  description    = "Object Storage may use the OCP backups key"
  statements = [
    "Allow service objectstorage-${var.region} to use keys in compartment id ${var.compartment_id} where target.key.id = '${oci_kms_key.backups.id}'",
  ]
}

resource "oci_objectstorage_bucket" "backups" {
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.this.namespace
  name           = var.bucket_name
  access_type    = "NoPublicAccess"
  versioning     = "Enabled"
  kms_key_id     = oci_kms_key.backups.id
  depends_on     = [oci_identity_policy.objectstorage_key]
}

resource "oci_objectstorage_object_lifecycle_policy" "backups" {
  namespace = data.oci_objectstorage_namespace.this.namespace
  bucket    = oci_objectstorage_bucket.backups.name

  rules {
    name        = "expire-backups"
    action      = "DELETE"
    is_enabled  = true
    target      = "objects"
    time_amount = var.backup_expire_days
    time_unit   = "DAYS"
    object_name_filter {
      inclusion_prefixes = ["tenants/"]
    }
  }

  rules {
    name        = "expire-previous-versions"
    action      = "DELETE"
    is_enabled  = true
    target      = "previous-object-versions"
    time_amount = var.noncurrent_version_days
    time_unit   = "DAYS"
  }

  rules {
    name        = "abort-incomplete-uploads"
    action      = "ABORT"
    is_enabled  = true
    target      = "multipart-uploads"
    time_amount = 1
    time_unit   = "DAYS"
  }

  depends_on = [oci_identity_policy.objectstorage_lifecycle]
}

# Lifecycle rules run as Object Storage itself, which must be allowed to delete the objects.
resource "oci_identity_policy" "objectstorage_lifecycle" {
  compartment_id = var.compartment_id
  name           = "ocp-backups-objectstorage-lifecycle"
  description    = "Object Storage may apply the OCP backups bucket's lifecycle rules"
  statements = [
    "Allow service objectstorage-${var.region} to manage object-family in compartment id ${var.compartment_id} where target.bucket.name = '${var.bucket_name}'",
  ]
}
