output "storage_account" {
  description = "The backups' storage account"
  value       = azurerm_storage_account.backups.name
}

output "backup_client_id" {
  description = "The azure.workload.identity/client-id annotation of the backup service account"
  value       = azurerm_user_assigned_identity.backup.client_id
}
