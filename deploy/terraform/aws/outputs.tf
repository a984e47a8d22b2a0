output "bucket" {
  description = "BACKUP_S3_BUCKET"
  value       = aws_s3_bucket.backups.bucket
}

output "kms_key_arn" {
  description = "BACKUP_KMS_KEY_ID and BACKUP_S3_SSE_KMS_KEY_ID"
  value       = aws_kms_key.backups.arn
}

output "backup_role_arn" {
  description = "The eks.amazonaws.com/role-arn annotation of the backup service account"
  value       = aws_iam_role.backup.arn
}
