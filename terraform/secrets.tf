# Write keys accepted by collect, comma-separated, as NUDGE_WRITE_KEYS. Write keys are not strong
# secrets (analytics.js ships them to browsers) but they keep strangers from filling the history.
resource "google_secret_manager_secret" "write_keys" {
  secret_id = var.write_keys_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

# Optional first version from var.write_keys. Without it, add one before the first apply creates
# collect: printf 'key1,key2' | gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret_version" "write_keys" {
  count = length(var.write_keys) > 0 ? 1 : 0

  secret      = google_secret_manager_secret.write_keys.id
  secret_data = join(",", var.write_keys)
}
