# Azure workload identity: the backup service's Kubernetes service account (annotated with this
# identity's client id in deploy/k8s/overlays/aks) exchanges its token for this user-assigned
# identity's, which may read, write and delete blobs of the backups container only.

resource "azurerm_user_assigned_identity" "backup" {
  name                = "ocp-backup"
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_federated_identity_credential" "backup" {
  name                = "ocp-backup-aks"
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.backup.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = var.aks_oidc_issuer_url
  subject             = "system:serviceaccount:${var.namespace}:${var.service_account}"
}

resource "azurerm_role_assignment" "backup_blobs" {
  scope                = azurerm_storage_container.backups.resource_manager_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.backup.principal_id
}
