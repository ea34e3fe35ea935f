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

# Server write keys, comma-separated, as NUDGE_SERVER_WRITE_KEYS of collect and offers: the keys of
# the shop's backend. Unlike browser write keys they stay secret, and only they may send events that
# speak for the shop (Catalog Updated: names, prices, links and images every email shows) or check
# unique offer codes (offers). Both functions mount the latest version, so one must exist before
# they are created, and offers refuses to start while it holds no key: set var.server_write_keys, or
# printf 'sk_live_…' | gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret" "server_write_keys" {
  secret_id = var.server_write_keys_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "server_write_keys" {
  count = length(var.server_write_keys) > 0 ? 1 : 0

  secret      = google_secret_manager_secret.server_write_keys.id
  secret_data = join(",", var.server_write_keys)
}

# The SendGrid API key of sweepTimers (SENDGRID_API_KEY): a mail.send key, plus read access to
# Email Activity so claims left in doubt can be settled. Add it outside Terraform so it stays out
# of the state: printf '%s' 'SG.…' | gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret" "sendgrid_api_key" {
  secret_id = var.sendgrid_api_key_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "sendgrid_api_key" {
  count = var.sendgrid_api_key != "" ? 1 : 0

  secret      = google_secret_manager_secret.sendgrid_api_key.id
  secret_data = var.sendgrid_api_key
}

# Keys signing unsubscribe, click and open links and unique offer codes (NUDGE_LINK_KEYS),
# comma-separated, newest first: sweepTimers signs with the first; unsubscribe, track and offers
# verify with each. Rotate by prepending a new key and keeping
# the old one while its links are still in inboxes. Generate one outside Terraform:
# openssl rand -base64 32 | tr -d '\n' | gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret" "link_keys" {
  secret_id = var.link_keys_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "link_keys" {
  count = length(var.link_keys) > 0 ? 1 : 0

  secret      = google_secret_manager_secret.link_keys.id
  secret_data = join(",", var.link_keys)
}

# SendGrid's Event Webhook verification key (SENDGRID_WEBHOOK_PUBLIC_KEY of sendgridEvents): the
# public key SendGrid shows under Mail Settings → Signed Event Webhook. Not secret, but kept beside
# the other keys so it is rotated the same way: gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret" "sendgrid_webhook_public_key" {
  secret_id = var.sendgrid_webhook_public_key_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "sendgrid_webhook_public_key" {
  count = var.sendgrid_webhook_public_key != "" ? 1 : 0

  secret      = google_secret_manager_secret.sendgrid_webhook_public_key.id
  secret_data = var.sendgrid_webhook_public_key
}

# The shop API's bearer token (NUDGE_CATALOG_API_TOKEN of sweepTimers), only when sweepTimers asks
# a shop API for live data (catalog_api_url) that takes a token: without a URL nothing reads it,
# and a mounted secret with no version would stop sweepTimers from deploying. Add it outside
# Terraform so it stays out of the state: printf '%s' '<token>' | gcloud secrets versions add <secret> --data-file=-
resource "google_secret_manager_secret" "catalog_api_token" {
  count = local.catalog_api_token_enabled ? 1 : 0

  secret_id = var.catalog_api_token_secret_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "catalog_api_token" {
  count = local.catalog_api_token_enabled && var.catalog_api_token != "" ? 1 : 0

  secret      = google_secret_manager_secret.catalog_api_token[0].id
  secret_data = var.catalog_api_token
}
