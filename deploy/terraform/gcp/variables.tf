variable "project" {
  description = "Google Cloud project of the bucket, the key and the GKE cluster."
  type        = string
}

variable "region" {
  description = "Location of the bucket and the key ring."
  type        = string
}

variable "bucket_name" {
  description = "The backup bucket (BACKUP_S3_BUCKET)."
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

# As in deploy/terraform/aws: the longest retention of the backup service's defaults (186 days)
# plus its 7-day margin.
variable "backup_expire_days" {
  description = "Days after which objects under tenants/ are deleted (the longest retention + 7)."
  type        = number
  default     = 193
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted backup's old version is kept."
  type        = number
  default     = 30
}
