# Least privilege: one service account per function, each granted only what its code does, on
# the single resource it touches. No owner/editor anywhere, and no project-level Pub/Sub role:
# publishers and subscribers are granted on individual topics and subscriptions.

# --- Identities ---------------------------------------------------------------------------------

resource "google_service_account" "collect" {
  account_id   = "${var.name_prefix}-collect"
  display_name = "nudge collect"
  description  = "Runtime identity of the collect function: publishes events and dead letters, reads the write keys."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "consumer" {
  for_each = local.consumers

  account_id   = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  display_name = "nudge ${replace(each.key, "_", "-")}"
  description  = "Runtime identity of the ${each.value.entry_point} function."

  depends_on = [google_project_service.enabled]
}

# Pub/Sub signs push requests with this account's OIDC token; it can invoke the consumers and
# nothing else.
resource "google_service_account" "push_invoker" {
  account_id   = "${var.name_prefix}-push-invoker"
  display_name = "nudge Pub/Sub push invoker"
  description  = "Identity of Pub/Sub push deliveries to the consumer functions."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "sweep_timers" {
  account_id   = "${var.name_prefix}-sweep-timers"
  display_name = "nudge sweep-timers"
  description  = "Runtime identity of the sweepTimers function: journey timers, send ledger, warehouse rows, SendGrid key."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "reconcile" {
  account_id   = "${var.name_prefix}-reconcile"
  display_name = "nudge reconcile"
  description  = "Runtime identity of the reconcile function: reads the warehouse, fixes profiles, writes the reconciliation tables."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "sendgrid_events" {
  account_id   = "${var.name_prefix}-sendgrid-events"
  display_name = "nudge sendgridEvents"
  description  = "Runtime identity of the SendGrid Event Webhook: reads the send ledger, records email events and suppressions."
}

resource "google_service_account" "unsubscribe" {
  account_id   = "${var.name_prefix}-unsubscribe"
  display_name = "nudge unsubscribe"
  description  = "Runtime identity of the unsubscribe function: records the consent change, publishes it as an event."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "track" {
  account_id   = "${var.name_prefix}-track"
  display_name = "nudge track"
  description  = "Runtime identity of the track function: verifies click and open links, publishes email_events rows."

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "offers" {
  account_id   = "${var.name_prefix}-offers"
  display_name = "nudge offers"
  description  = "Runtime identity of the offers function: reads the link keys and the server write keys, nothing else."

  depends_on = [google_project_service.enabled]
}

# Cloud Scheduler signs its calls with this account's OIDC token; it can invoke sweepTimers and
# reconcile and nothing else.
resource "google_service_account" "scheduler_invoker" {
  account_id   = "${var.name_prefix}-scheduler-invoker"
  display_name = "nudge Cloud Scheduler invoker"
  description  = "Identity of the Cloud Scheduler jobs calling sweepTimers each minute and reconcile each night."

  depends_on = [google_project_service.enabled]
}

# Cloud Build runs the function builds as this account rather than the project's default one
# (which new projects no longer grant enough, and old projects grant far too much).
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-build"
  display_name = "nudge function builds"
  description  = "Cloud Build identity for building the nudge functions' images."

  depends_on = [google_project_service.enabled]
}

# --- collect ------------------------------------------------------------------------------------

resource "google_pubsub_topic_iam_member" "collect_publishes_events" {
  for_each = local.event_topics

  topic  = google_pubsub_topic.events[each.key].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.collect.email}"
}

resource "google_pubsub_topic_iam_member" "collect_publishes_invalid" {
  topic  = google_pubsub_topic.invalid.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.collect.email}"
}

resource "google_secret_manager_secret_iam_member" "collect_reads_write_keys" {
  secret_id = google_secret_manager_secret.write_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.collect.email}"
}

resource "google_secret_manager_secret_iam_member" "collect_reads_server_write_keys" {
  secret_id = google_secret_manager_secret.server_write_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.collect.email}"
}

# Anyone may call collect; the function itself refuses unknown write keys (401).
resource "google_cloud_run_service_iam_member" "collect_is_public" {
  location = google_cloudfunctions2_function.collect.location
  service  = google_cloudfunctions2_function.collect.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- consumers ----------------------------------------------------------------------------------

# Profiles are read and written in Firestore transactions. Firestore IAM stops at the project
# (there is no grant per database or collection), so datastore.user, the narrowest role that can
# read and write documents, is granted on the project.
resource "google_project_iam_member" "consumer_uses_firestore" {
  for_each = local.consumers

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.consumer[each.key].email}"
}

# A consumer handed a message it cannot decode records it as a dead letter and acknowledges it
# (retrying bad input cannot help), so it may publish to events-invalid, and nowhere else.
resource "google_pubsub_topic_iam_member" "consumer_publishes_invalid" {
  for_each = local.consumers

  topic  = google_pubsub_topic.invalid.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.consumer[each.key].email}"
}

# The profile consumers publish identity links and merges to warehouse-person_identities only.
resource "google_pubsub_topic_iam_member" "consumer_publishes_identity_links" {
  for_each = toset(local.profile_consumers)

  topic  = google_pubsub_topic.warehouse_rows["person_identities"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.consumer[each.key].email}"
}

# Fan-out pages of restocks and price drops: onCatalogUpdate publishes the first, fanOutJourney the
# next ones, to journey-fanout only.
resource "google_pubsub_topic_iam_member" "consumer_publishes_journey_fanout" {
  for_each = toset(local.journey_fanout_publishers)

  topic  = google_pubsub_topic.journey_fanout.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.consumer[each.key].email}"
}

# Only the push-invoker account may call a consumer, each granted on that function's service.
resource "google_cloud_run_service_iam_member" "push_invoker_invokes_consumer" {
  for_each = local.consumers

  location = google_cloudfunctions2_function.consumer[each.key].location
  service  = google_cloudfunctions2_function.consumer[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push_invoker.email}"
}

# --- sweepTimers --------------------------------------------------------------------------------

# Timers live with the profiles, and the send ledger beside them (Firestore: project-level only).
resource "google_project_iam_member" "sweep_timers_uses_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.sweep_timers.email}"
}

# decisions and email_sends rows go to their warehouse-<table> topics, and nowhere else.
resource "google_pubsub_topic_iam_member" "sweep_timers_publishes_rows" {
  for_each = toset(local.sweep_timers_fact_tables)

  topic  = google_pubsub_topic.warehouse_rows[each.key].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.sweep_timers.email}"
}

resource "google_secret_manager_secret_iam_member" "sweep_timers_reads_sendgrid_api_key" {
  secret_id = google_secret_manager_secret.sendgrid_api_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.sweep_timers.email}"
}

resource "google_secret_manager_secret_iam_member" "sweep_timers_reads_link_keys" {
  secret_id = google_secret_manager_secret.link_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.sweep_timers.email}"
}

# The shop API's token, when there is one (secrets.tf).
resource "google_secret_manager_secret_iam_member" "sweep_timers_reads_catalog_api_token" {
  count = local.catalog_api_token_enabled ? 1 : 0

  secret_id = google_secret_manager_secret.catalog_api_token[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.sweep_timers.email}"
}

# Only the Cloud Scheduler job's account may call sweepTimers.
resource "google_cloud_run_service_iam_member" "scheduler_invokes_sweep_timers" {
  location = google_cloudfunctions2_function.sweep_timers.location
  service  = google_cloudfunctions2_function.sweep_timers.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler_invoker.email}"
}

# --- reconcile ----------------------------------------------------------------------------------

# Fixes are Firestore transactions on profiles (datastore.user is the narrowest role, see above).
resource "google_project_iam_member" "reconcile_uses_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.reconcile.email}"
}

# Running a query is a BigQuery job, and jobs are created in a project: jobUser can be granted
# nowhere narrower. It lets the account run jobs, not read any table.
resource "google_project_iam_member" "reconcile_runs_queries" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.reconcile.email}"
}

# The history it judges by: events, person_identities and the views over them (sql/reconcile/).
resource "google_bigquery_dataset_iam_member" "reconcile_reads_warehouse" {
  dataset_id = google_bigquery_dataset.main.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.reconcile.email}"
}

# And writes only its own three tables.
resource "google_bigquery_table_iam_member" "reconcile_writes_its_tables" {
  for_each = local.reconcile_tables

  dataset_id = google_bigquery_dataset.main.dataset_id
  table_id   = google_bigquery_table.reconcile[each.key].table_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.reconcile.email}"
}

# Only the Cloud Scheduler job's account may call reconcile.
resource "google_cloud_run_service_iam_member" "scheduler_invokes_reconcile" {
  location = google_cloudfunctions2_function.reconcile.location
  service  = google_cloudfunctions2_function.reconcile.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler_invoker.email}"
}

# --- unsubscribe --------------------------------------------------------------------------------

# The consent change is folded into the profile at once.
resource "google_project_iam_member" "unsubscribe_uses_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.unsubscribe.email}"
}

# ...and published like any event (Consent Updated), so history and BigQuery show it.
resource "google_pubsub_topic_iam_member" "unsubscribe_publishes_events" {
  for_each = local.event_topics

  topic  = google_pubsub_topic.events[each.key].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.unsubscribe.email}"
}

resource "google_pubsub_topic_iam_member" "unsubscribe_publishes_invalid" {
  topic  = google_pubsub_topic.invalid.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.unsubscribe.email}"
}

# ...and recorded for the KPIs (email_events, through its warehouse topic).
resource "google_pubsub_topic_iam_member" "unsubscribe_publishes_email_events" {
  topic  = google_pubsub_topic.warehouse_rows["email_events"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.unsubscribe.email}"
}

resource "google_secret_manager_secret_iam_member" "unsubscribe_reads_link_keys" {
  secret_id = google_secret_manager_secret.link_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.unsubscribe.email}"
}

# Anyone may call unsubscribe: mail clients' one-click POST carries no credentials. The signed,
# expiring token in the link is checked by the function itself (400 otherwise).
resource "google_cloud_run_service_iam_member" "unsubscribe_is_public" {
  location = google_cloudfunctions2_function.unsubscribe.location
  service  = google_cloudfunctions2_function.unsubscribe.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- track --------------------------------------------------------------------------------------

# One email_events row per open or click, to its warehouse topic and nowhere else: no Firestore,
# no event topics, no SendGrid key.
resource "google_pubsub_topic_iam_member" "track_publishes_email_events" {
  topic  = google_pubsub_topic.warehouse_rows["email_events"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.track.email}"
}

resource "google_secret_manager_secret_iam_member" "track_reads_link_keys" {
  secret_id = google_secret_manager_secret.link_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.track.email}"
}

# Anyone may call track: mail clients load the pixel and browsers follow the link without
# credentials. The signed, expiring token in the path is checked by the function itself.
resource "google_cloud_run_service_iam_member" "track_is_public" {
  location = google_cloudfunctions2_function.track.location
  service  = google_cloudfunctions2_function.track.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- offers -------------------------------------------------------------------------------------

# A code's check needs only the keys: the link keys that signed it and the server write keys that
# authorise the caller. No Firestore, no topic: it records nothing (the outcome is logged).
resource "google_secret_manager_secret_iam_member" "offers_reads_link_keys" {
  secret_id = google_secret_manager_secret.link_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.offers.email}"
}

resource "google_secret_manager_secret_iam_member" "offers_reads_server_write_keys" {
  secret_id = google_secret_manager_secret.server_write_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.offers.email}"
}

# Anyone may call offers: the shop's backend has no Google credentials. The function answers only
# server write keys (401 unknown, 403 a browser key), so the invoker grant opens nothing else.
resource "google_cloud_run_service_iam_member" "offers_is_public" {
  location = google_cloudfunctions2_function.offers.location
  service  = google_cloudfunctions2_function.offers.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- sendgridEvents -----------------------------------------------------------------------------

# The send ledger (who was sent what) and the profile a bounce or complaint is folded into.
resource "google_project_iam_member" "sendgrid_events_uses_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.sendgrid_events.email}"
}

# Suppressions are published like any event (history), bad events as dead letters...
resource "google_pubsub_topic_iam_member" "sendgrid_events_publishes_events" {
  for_each = local.event_topics

  topic  = google_pubsub_topic.events[each.key].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.sendgrid_events.email}"
}

resource "google_pubsub_topic_iam_member" "sendgrid_events_publishes_invalid" {
  topic  = google_pubsub_topic.invalid.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.sendgrid_events.email}"
}

# ...and the email_events rows to their warehouse topic, no other.
resource "google_pubsub_topic_iam_member" "sendgrid_events_publishes_email_events" {
  topic  = google_pubsub_topic.warehouse_rows["email_events"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.sendgrid_events.email}"
}

resource "google_secret_manager_secret_iam_member" "sendgrid_events_reads_webhook_key" {
  secret_id = google_secret_manager_secret.sendgrid_webhook_public_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.sendgrid_events.email}"
}

# SendGrid posts without Google credentials: the function verifies SendGrid's ECDSA signature on
# the raw body itself (401/403 otherwise) before reading anything.
resource "google_cloud_run_service_iam_member" "sendgrid_events_is_public" {
  location = google_cloudfunctions2_function.sendgrid_events.location
  service  = google_cloudfunctions2_function.sendgrid_events.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Pub/Sub service agent ----------------------------------------------------------------------

# Dead-lettering needs the agent to publish to each dead-letter topic...
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  for_each = local.dead_letter_topics

  topic  = google_pubsub_topic.dead_letter[each.key].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent_member
}

# ...and to acknowledge the message on the subscription it is removed from.
resource "google_pubsub_subscription_iam_member" "agent_acks_push" {
  for_each = local.event_topics

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

resource "google_pubsub_subscription_iam_member" "agent_acks_interest_push" {
  for_each = local.interest_topics

  subscription = google_pubsub_subscription.interest_push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

resource "google_pubsub_subscription_iam_member" "agent_acks_journey_fanout_push" {
  subscription = google_pubsub_subscription.journey_fanout_push.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

resource "google_pubsub_subscription_iam_member" "agent_acks_warehouse" {
  for_each = local.event_topics

  subscription = google_pubsub_subscription.warehouse[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

resource "google_pubsub_subscription_iam_member" "agent_acks_warehouse_rows" {
  for_each = local.journey_tables

  subscription = google_pubsub_subscription.warehouse_rows[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

resource "google_pubsub_subscription_iam_member" "agent_acks_invalid" {
  subscription = google_pubsub_subscription.invalid_to_warehouse.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent_member
}

# BigQuery subscriptions write as the agent: data editor on the nudge dataset only.
resource "google_bigquery_dataset_iam_member" "agent_writes_warehouse" {
  dataset_id = google_bigquery_dataset.main.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.pubsub_agent_member
}

# Projects created before April 2021 need the agent to mint the push OIDC tokens itself; the
# grant is on the push-invoker account alone, harmless where it is not needed.
resource "google_service_account_iam_member" "agent_signs_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent_member
}

# --- builds -------------------------------------------------------------------------------------

# The role Google documents for a custom function build account (logs, source read, image push).
resource "google_project_iam_member" "build_builds_functions" {
  project = var.project_id
  role    = "roles/cloudbuild.builds.builder"
  member  = "serviceAccount:${google_service_account.build.email}"
}
