# The backup bucket on Cloud Storage with a customer-managed Cloud KMS key. What Cloud Storage
# enforces by itself: every object is encrypted with the bucket's default KMS key whatever the
# upload asks (no unencrypted upload exists), and its JSON and XML APIs are served over TLS only;
# uniform bucket-level access and public access prevention keep ACLs and public grants out.
# The backup service speaks S3: it reaches this bucket through Cloud Storage's XML API
# (BACKUP_S3_ENDPOINT=https://storage.googleapis.com) with the HMAC key below.

data "google_storage_project_service_account" "gcs" {}

resource "google_kms_key_ring" "backups" {
  name     = "ocp-backups"
  location = var.region
}

resource "google_kms_crypto_key" "backups" {
  name            = "ocp-backups"
  key_ring        = google_kms_key_ring.backups.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "7776000s" # 90 days
  lifecycle {
    prevent_destroy = true
  }
}

# Cloud Storage's own service agent encrypts and decrypts with the key on the bucket's behalf.
resource "google_kms_crypto_key_iam_member" "gcs" {
  crypto_key_id = google_kms_crypto_key.backups.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

resource "google_storage_bucket" "backups" {
  name                        = var.bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.backups.id
  }

  lifecycle_rule {
    condition {
      age            = var.backup_expire_days
      matches_prefix = ["tenants/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.gcs]
}
