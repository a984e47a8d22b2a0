# The backups' storage account and container with a customer-managed key in Key Vault. What Azure
# Storage enforces by itself: every blob is encrypted at rest with the account's key (here the
# customer-managed one, with infrastructure encryption on top), whatever the upload says; the
# account refuses plain HTTP (https_traffic_only_enabled) and TLS below 1.2.
#
# The backup service's store speaks S3 and Azure Blob Storage does not: point BACKUP_S3_ENDPOINT
# at an S3-compatible gateway in front of this account (deploy/k8s/overlays/aks), which then holds
# the identity below, or keep the backups in another S3-compatible store.

data "azurerm_client_config" "current" {}

resource "azurerm_key_vault" "backups" {
  name                       = var.key_vault_name
  location                   = var.location
  resource_group_name        = var.resource_group_name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
  enable_rbac_authorization  = true
}

resource "azurerm_key_vault_key" "backups" {
  name         = "ocp-backups"
  key_vault_id = azurerm_key_vault.backups.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]

  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
    expire_after         = "P1Y"
    notify_before_expiry = "P29D"
  }
}

# The storage account reaches its key through an identity of its own.
resource "azurerm_user_assigned_identity" "storage" {
  name                = "ocp-backups-storage"
  location            = var.location
  resource_group_name = var.resource_group_name
}

resource "azurerm_role_assignment" "storage_key" {
  scope                = azurerm_key_vault.backups.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.storage.principal_id
}

resource "azurerm_storage_account" "backups" {
  name                              = var.storage_account_name
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  account_kind                      = "StorageV2"
  https_traffic_only_enabled        = true
  min_tls_version                   = "TLS1_2"
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  infrastructure_encryption_enabled = true

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.storage.id]
  }

  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.backups.versionless_id
    user_assigned_identity_id = azurerm_user_assigned_identity.storage.id
  }

  blob_properties {
    versioning_enabled = true
    delete_retention_policy {
      days = 7
    }
  }

  depends_on = [azurerm_role_assignment.storage_key]
}

resource "azurerm_storage_container" "backups" {
  name                  = "backups"
  storage_account_id    = azurerm_storage_account.backups.id
  container_access_type = "private"
}

resource "azurerm_storage_management_policy" "backups" {
  storage_account_id = azurerm_storage_account.backups.id

  rule {
    name    = "expire-backups"
    enabled = true
    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.backups.name}/tenants/"]
    }
    actions {
      base_blob {
        delete_after_days_since_creation_greater_than = var.backup_expire_days
      }
      version {
        delete_after_days_since_creation = var.noncurrent_version_days
      }
    }
  }
}
