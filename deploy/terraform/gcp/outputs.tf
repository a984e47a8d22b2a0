output "bucket" {
  description = "BACKUP_S3_BUCKET"
  value       = google_storage_bucket.backups.name
}

output "backup_service_account" {
  description = "The iam.gke.io/gcp-service-account annotation of the backup service account"
  value       = google_service_account.backup.email
}

output "hmac_access_id" {
  description = "BACKUP_S3_ACCESS_KEY_ID (Secret ocp-backup-s3, key access-key-id)"
  value       = google_storage_hmac_key.backup.access_id
}

output "hmac_secret" {
  description = "BACKUP_S3_SECRET_ACCESS_KEY (Secret ocp-backup-s3, key secret-access-key)"
  value       = google_storage_hmac_key.backup.secret
  sensitive   = true
}
