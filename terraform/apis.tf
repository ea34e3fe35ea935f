# The Google APIs nudge uses. They stay enabled on destroy: other workloads in the project may
# rely on them, and disabling an API can delete data.
locals {
  required_apis = [
    "artifactregistry.googleapis.com",     # images built from the function source
    "bigquery.googleapis.com",             # warehouse: events, dead_letters, decisions, email_sends
    "cloudbuild.googleapis.com",           # builds the function images
    "cloudfunctions.googleapis.com",       # gen2 functions
    "cloudresourcemanager.googleapis.com", # project lookups (project number for the Pub/Sub agent)
    "cloudscheduler.googleapis.com",       # timer sweeps (scheduler.tf)
    "eventarc.googleapis.com",             # event triggers of gen2 functions (later issues)
    "firestore.googleapis.com",            # profiles, ledgers
    "iam.googleapis.com",                  # service accounts
    "logging.googleapis.com",              # the log-based event to profile lag metric (monitoring.tf)
    "monitoring.googleapis.com",           # dead-letter, backlog and lag alerts
    "pubsub.googleapis.com",               # event bus
    "run.googleapis.com",                  # gen2 functions run on Cloud Run
    "secretmanager.googleapis.com",        # write keys, SendGrid key, link-signing keys
    "storage.googleapis.com",              # function source bucket
  ]
}

resource "google_project_service" "enabled" {
  for_each = toset(local.required_apis)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
