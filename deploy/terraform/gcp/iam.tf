# Workload Identity: the backup service's Kubernetes service account acts as this Google service
# account (deploy/k8s/overlays/gke annotates it with iam.gke.io/gcp-service-account), which may
# read, write and delete objects of the backup bucket only. The S3-compatible XML API the backup
# service uses does not take Workload Identity's tokens, only HMAC keys: the key below belongs to
# the same service account, so it holds the same rights; put it in the ocp-backup-s3 Secret.

resource "google_service_account" "backup" {
  account_id   = "ocp-backup"
  display_name = "OCP backup service"
}

resource "google_storage_bucket_iam_member" "backup" {
  bucket = google_storage_bucket.backups.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.backup.email}"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.backup.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project}.svc.id.goog[${var.namespace}/${var.service_account}]"
}

resource "google_storage_hmac_key" "backup" {
  service_account_email = google_service_account.backup.email
}
