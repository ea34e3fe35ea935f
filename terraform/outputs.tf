output "collect_url" {
  description = "Base URL of the collector. Point Segment SDKs' host (analytics.js apiHost, analytics-node host) here."
  value       = google_cloudfunctions2_function.collect.service_config[0].uri
}

output "unsubscribe_url" {
  description = "URL of the public unsubscribe function; every email's List-Unsubscribe link points here (NUDGE_PUBLIC_URL of sweepTimers)."
  value       = google_cloudfunctions2_function.unsubscribe.service_config[0].uri
}

output "track_url" {
  description = "URL of the public track function: first-party open pixel and click redirect (NUDGE_TRACK_URL of sweepTimers)."
  value       = google_cloudfunctions2_function.track.service_config[0].uri
}

output "offers_url" {
  description = "URL of the public offers function: the shop's checkout posts a unique offer code to <offers_url>/v1/offers/check with a server write key."
  value       = google_cloudfunctions2_function.offers.service_config[0].uri
}

output "sendgrid_events_url" {
  description = "URL to give SendGrid as the Event Webhook's HTTP Post URL (Mail Settings → Event Webhook), with signing on."
  value       = google_cloudfunctions2_function.sendgrid_events.service_config[0].uri
}

output "consumer_urls" {
  description = "URLs of the Pub/Sub consumer functions (callable only by the push-invoker account)."
  value       = { for key, fn in google_cloudfunctions2_function.consumer : key => fn.service_config[0].uri }
}

output "event_topics" {
  description = "Event topic ids, for publishEvent and other publishers."
  value       = { for key, topic in google_pubsub_topic.events : key => topic.id }
}

output "dead_letter_subscriptions" {
  description = "Subscriptions holding dead-lettered messages, for inspection and replay."
  value       = { for key, sub in google_pubsub_subscription.dead_letter_hold : key => sub.id }
}

output "bigquery_dataset" {
  description = "The warehouse dataset, as project.dataset."
  value       = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}"
}

output "events_table" {
  description = "The event history table, as project.dataset.table."
  value       = local.events_table_ref
}

output "dead_letters_table" {
  description = "The table of refused input, as project.dataset.table."
  value       = local.dead_letters_table_ref
}

output "journey_tables" {
  description = "Tables the journeys write through warehouse-<table> topics (decisions, email_sends), as project.dataset.table."
  value       = { for key, table in google_bigquery_table.journey : key => "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${table.table_id}" }
}

output "sendgrid_api_key_secret" {
  description = "Secret Manager secret of the SendGrid API key; add a version with gcloud secrets versions add."
  value       = google_secret_manager_secret.sendgrid_api_key.id
}

output "link_keys_secret" {
  description = "Secret Manager secret of the link-signing keys (unsubscribe, click and open links); add a version with gcloud secrets versions add."
  value       = google_secret_manager_secret.link_keys.id
}

output "write_keys_secret" {
  description = "Secret Manager secret of the accepted write keys; add versions with gcloud secrets versions add."
  value       = google_secret_manager_secret.write_keys.id
}

output "server_write_keys_secret" {
  description = "Secret Manager secret of the server write keys (the only keys that may send Catalog Updated); add versions with gcloud secrets versions add."
  value       = google_secret_manager_secret.server_write_keys.id
}

output "function_source_object" {
  description = "The uploaded source zip (gs:// URL) the functions were built from."
  value       = "gs://${google_storage_bucket.functions_source.name}/${google_storage_bucket_object.functions_source.name}"
}

output "service_accounts" {
  description = "Service account emails, one per function plus push invoker and build."
  value = merge(
    { collect = google_service_account.collect.email },
    { for key, sa in google_service_account.consumer : key => sa.email },
    {
      sweep_timers      = google_service_account.sweep_timers.email
      reconcile         = google_service_account.reconcile.email
      unsubscribe       = google_service_account.unsubscribe.email
      track             = google_service_account.track.email
      offers            = google_service_account.offers.email
      sendgrid_events   = google_service_account.sendgrid_events.email
      push_invoker      = google_service_account.push_invoker.email
      scheduler_invoker = google_service_account.scheduler_invoker.email
      build             = google_service_account.build.email
    },
  )
}
