variable "region" {
  description = "OCI region (e.g. eu-frankfurt-1)."
  type        = string
}

variable "compartment_id" {
  description = "Compartment of the bucket, the vault and the policies."
  type        = string
}

variable "bucket_name" {
  description = "The backup bucket (BACKUP_S3_BUCKET)."
  type        = string
}

variable "oke_cluster_id" {
  description = "OCID of the OKE cluster whose backup service account may use the bucket."
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
  description = "Days a previous object version is kept."
  type        = number
  default     = 30
}

variable "tenancy_id" {
  description = "OCID of the tenancy (IAM users and groups live there)."
  type        = string
}

variable "backup_user_email" {
  description = "Contact address of the backup service's IAM user (required by identity domains)."
  type        = string
}
