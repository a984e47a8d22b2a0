output "bucket" {
  description = "BACKUP_S3_BUCKET"
  value       = oci_objectstorage_bucket.backups.name
}

output "s3_endpoint" {
  description = "BACKUP_S3_ENDPOINT (with BACKUP_S3_FORCE_PATH_STYLE=true)"
  value       = "https://${data.oci_objectstorage_namespace.this.namespace}.compat.objectstorage.${var.region}.oraclecloud.com"
}

output "s3_access_key_id" {
  description = "BACKUP_S3_ACCESS_KEY_ID (Secret ocp-backup-s3, key access-key-id)"
  value       = oci_identity_customer_secret_key.backup.id
}

output "s3_secret_access_key" {
  description = "BACKUP_S3_SECRET_ACCESS_KEY (Secret ocp-backup-s3, key secret-access-key)"
  value       = oci_identity_customer_secret_key.backup.key
  sensitive   = true
}
