variable "subscription_id" {
  description = "Azure subscription."
  type        = string
}

variable "resource_group_name" {
  description = "Existing resource group of the storage account, the key vault and the identity."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "storage_account_name" {
  description = "Storage account of the backups (3 to 24 lowercase letters and digits)."
  type        = string
}

variable "key_vault_name" {
  description = "Key vault holding the customer-managed key."
  type        = string
}

variable "aks_oidc_issuer_url" {
  description = "The AKS cluster's OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl)."
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
  description = "Days after which blobs under tenants/ are deleted (the longest retention + 7)."
  type        = number
  default     = 193
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted backup's previous version is kept."
  type        = number
  default     = 30
}
