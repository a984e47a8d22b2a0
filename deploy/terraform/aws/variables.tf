variable "region" {
  description = "AWS region of the bucket, the KMS key and the EKS cluster."
  type        = string
}

variable "bucket_name" {
  description = "The backup bucket (BACKUP_S3_BUCKET)."
  type        = string
}

variable "eks_oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "eks_oidc_issuer" {
  description = "The cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the platform (deploy/k8s: ocp)."
  type        = string
  default     = "ocp"
}

variable "service_account" {
  description = "The backup service's Kubernetes service account."
  type        = string
  default     = "backup"
}

# The safety net behind the backup service's own retention (services/backup/src/domain/lifecycle.ts):
# objects under tenants/ expire 7 days after the longest any plan keeps a backup. With the service's
# default BACKUP_RETENTION (7 daily, 4 weekly, 6 monthly: 6 x 31 = 186 days) and
# BACKUP_FINAL_KEEP_DAYS (90, after a deletion grace of at most 90: 180 days), that is 186 + 7 = 193.
# `pnpm backup:setup-bucket` prints the number for other settings; keep the two equal.
variable "backup_expire_days" {
  description = "Days after which objects under tenants/ expire (the longest retention + 7)."
  type        = number
  default     = 193
}

variable "noncurrent_version_days" {
  description = "Days a deleted or overwritten backup's old version is kept (versioning's undo window)."
  type        = number
  default     = 30
}
