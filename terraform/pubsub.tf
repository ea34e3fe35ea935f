# The event bus. Topic names are the ones the code publishes to (pipelines/events/topics.ts), so
# they carry no name_prefix. Every subscription follows the same rules:
# - it never expires (a quiet shop must not lose its subscriptions after 31 idle days);
# - it keeps unacknowledged messages 7 days (Pub/Sub's maximum), room to fix a broken consumer;
# - failed deliveries retry with exponential backoff, then move to a dead-letter topic, whose own
#   subscription holds them for inspection and replay (a topic with no subscription drops messages).

locals {
  # Each event topic and the consumer function (functions.tf) its push subscription feeds.
  event_topics = {
    priority = { topic = "events-priority", consumer = "on_priority_event" }
    browse   = { topic = "events-browse", consumer = "on_browse_event" }
    catalog  = { topic = "events-catalog", consumer = "on_catalog_update" }
  }

  # Input the collector refused (DeadLetter records, pipelines/events/dead-letters.ts); its
  # BigQuery subscription keeps them in the table dead_letters.
  invalid_topic = "events-invalid"

  # One dead-letter topic per push subscription, plus one for messages BigQuery refused to store.
  dead_letter_topics = {
    priority  = "events-priority-dead-letter"
    browse    = "events-browse-dead-letter"
    catalog   = "events-catalog-dead-letter"
    warehouse = "events-warehouse-dead-letter"
    # The recordInterest subscriptions (interest_push below).
    priority_interest = "events-priority-interest-dead-letter"
    browse_interest   = "events-browse-interest-dead-letter"
    # The fanOutJourney subscription (journey_fanout_push below).
    journey_fanout = "journey-fanout-dead-letter"
  }

  subscription_retention = "604800s"

  # Google's Pub/Sub service agent: it forwards dead letters and writes BigQuery subscriptions.
  pubsub_agent_member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "events" {
  for_each = local.event_topics

  name = each.value.topic

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "invalid" {
  name = local.invalid_topic

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.dead_letter_topics

  name = each.value

  depends_on = [google_project_service.enabled]
}

# Push to the consumer function, authenticated with an OIDC token of the push-invoker account
# (the functions are not public). The ack deadline is the push request's timeout, so it matches
# the function's: a slow handler is not redelivered while it still runs. The default wrapped
# payload is kept because it carries messageId and deliveryAttempt.
resource "google_pubsub_subscription" "push" {
  for_each = local.event_topics

  name                       = "${each.value.topic}-push"
  topic                      = google_pubsub_topic.events[each.key].id
  ack_deadline_seconds       = var.consumer_timeout_seconds
  message_retention_duration = local.subscription_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.consumer[each.value.consumer].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.consumer[each.value.consumer].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${var.retry_minimum_backoff_seconds}s"
    maximum_backoff = "${var.retry_maximum_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  lifecycle {
    precondition {
      condition     = var.retry_minimum_backoff_seconds <= var.retry_maximum_backoff_seconds
      error_message = "retry_minimum_backoff_seconds must not exceed retry_maximum_backoff_seconds."
    }
  }

  depends_on = [
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
    google_cloud_run_service_iam_member.push_invoker_invokes_consumer,
  ]
}

# Product interest (functions/on-interest-event.ts) is recorded beside the profile fold, from the
# two topics that carry views, adds, back-in-stock requests and orders: a second push subscription
# on each, to the record_interest consumer, under the same rules as the push subscriptions above.
locals {
  interest_topics = {
    priority = { topic = "events-priority", dead_letter = "priority_interest" }
    browse   = { topic = "events-browse", dead_letter = "browse_interest" }
  }
}

resource "google_pubsub_subscription" "interest_push" {
  for_each = local.interest_topics

  name                       = "${each.value.topic}-interest-push"
  topic                      = google_pubsub_topic.events[each.key].id
  ack_deadline_seconds       = var.consumer_timeout_seconds
  message_retention_duration = local.subscription_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.consumer["record_interest"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.consumer["record_interest"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${var.retry_minimum_backoff_seconds}s"
    maximum_backoff = "${var.retry_maximum_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.dead_letter].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
    google_cloud_run_service_iam_member.push_invoker_invokes_consumer,
  ]
}

# Back in stock and price drop reach their audience a page at a time (functions/on-journey-fanout.ts):
# onCatalogUpdate publishes the first page of a fired trigger, fanOutJourney arms that page's timers
# and publishes the next one, so a restock with thousands of waiting people is never one
# transaction or one function call. The name is the code's (JOURNEY_FANOUT_TOPIC in
# pipelines/journeys/fan-out-catalog-trigger.ts). Pages are work, not history: no BigQuery copy.
locals {
  journey_fanout_topic = "journey-fanout"
  # Who publishes pages: the catalog consumer (first pages) and the fan-out itself (next pages).
  journey_fanout_publishers = ["on_catalog_update", "fan_out_journey"]
}

resource "google_pubsub_topic" "journey_fanout" {
  name = local.journey_fanout_topic

  depends_on = [google_project_service.enabled]
}

# Same rules as the event push subscriptions: a failed page (500) is retried with backoff, then
# dead-lettered; arming is idempotent, so a redelivered page arms nobody twice.
resource "google_pubsub_subscription" "journey_fanout_push" {
  name                       = "${local.journey_fanout_topic}-push"
  topic                      = google_pubsub_topic.journey_fanout.id
  ack_deadline_seconds       = var.consumer_timeout_seconds
  message_retention_duration = local.subscription_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.consumer["fan_out_journey"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.consumer["fan_out_journey"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${var.retry_minimum_backoff_seconds}s"
    maximum_backoff = "${var.retry_maximum_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter["journey_fanout"].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
    google_cloud_run_service_iam_member.push_invoker_invokes_consumer,
  ]
}

# Every event lands in the warehouse table `events` with no insert code: the message is the row
# (NudgeEvent, column for column). Fields the table does not know are dropped, not refused, so a
# newer event shape never blocks history. Delivery is at-least-once: readers dedupe by event_id.
resource "google_pubsub_subscription" "warehouse" {
  for_each = local.event_topics

  name                       = "${each.value.topic}-to-bigquery"
  topic                      = google_pubsub_topic.events[each.key].id
  message_retention_duration = local.subscription_retention

  bigquery_config {
    table               = local.events_table_ref
    use_table_schema    = true
    drop_unknown_fields = true
    write_metadata      = false
  }

  # JSON columns take JSON *text* from a use_table_schema subscription; nudge's messages carry
  # objects (what every consumer reads), so they are stringified on the way into BigQuery only.
  message_transforms {
    javascript_udf {
      function_name = "stringifyJsonColumns"
      code          = local.stringify_json_columns_udf
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter["warehouse"].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_bigquery_dataset_iam_member.agent_writes_warehouse,
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
  ]
}

# Refused input is kept, never lost: the table dead_letters is what a later replay reads.
resource "google_pubsub_subscription" "invalid_to_warehouse" {
  name                       = "${local.invalid_topic}-to-bigquery"
  topic                      = google_pubsub_topic.invalid.id
  message_retention_duration = local.subscription_retention

  bigquery_config {
    table               = local.dead_letters_table_ref
    use_table_schema    = true
    drop_unknown_fields = true
    write_metadata      = false
  }

  # JSON columns take JSON *text* from a use_table_schema subscription; nudge's messages carry
  # objects (what every consumer reads), so they are stringified on the way into BigQuery only.
  message_transforms {
    javascript_udf {
      function_name = "stringifyJsonColumns"
      code          = local.stringify_json_columns_udf
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter["warehouse"].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_bigquery_dataset_iam_member.agent_writes_warehouse,
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
  ]
}

# Holds dead-lettered messages for inspection (`gcloud pubsub subscriptions pull`) and replay;
# monitoring.tf alerts as soon as one arrives.
resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = local.dead_letter_topics

  name                       = "${each.value}-hold"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = local.subscription_retention

  expiration_policy {
    ttl = ""
  }
}

locals {
  # sql/transforms/stringify-json-columns.js: tested in functions/embedded/bigquery-ddl.test.ts.
  stringify_json_columns_udf = file("${path.module}/../sql/transforms/stringify-json-columns.js")
}

# Warehouse rows of the journeys (decisions, email_sends): sweepTimers publishes each row to
# warehouse-<table> and a BigQuery subscription writes it, the same no-insert-code path as events.
resource "google_pubsub_topic" "warehouse_rows" {
  for_each = local.journey_tables

  name = "warehouse-${each.key}"

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "warehouse_rows" {
  for_each = local.journey_tables

  name                       = "warehouse-${each.key}-to-bigquery"
  topic                      = google_pubsub_topic.warehouse_rows[each.key].id
  message_retention_duration = local.subscription_retention

  bigquery_config {
    table               = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.journey[each.key].table_id}"
    use_table_schema    = true
    drop_unknown_fields = true
    write_metadata      = false
  }

  # No JSON columns in these tables today; the transform keeps every BigQuery subscription alike.
  message_transforms {
    javascript_udf {
      function_name = "stringifyJsonColumns"
      code          = local.stringify_json_columns_udf
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter["warehouse"].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_bigquery_dataset_iam_member.agent_writes_warehouse,
    google_pubsub_topic_iam_member.agent_publishes_dead_letters,
  ]
}
