# Alerts for the two ways events stop flowing silently. Without notification channels they still
# open incidents in the console.

# A message reached a dead-letter topic (events-*-dead-letter, journey-fanout-dead-letter): a
# consumer or BigQuery refused it max_delivery_attempts times. Nothing is lost (it waits in the -hold subscription), but someone must look.
resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "${var.name_prefix}: messages dead-lettered"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "A dead-letter hold subscription has messages"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id = monitoring.regex.full_match(\"(events-.*|journey-fanout)-dead-letter-hold\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Messages were dead-lettered. Inspect them with `gcloud pubsub subscriptions pull <subscription> --limit=10` (without --auto-ack) and see docs/deploy.md, section Dead letters."
  }

  depends_on = [google_project_service.enabled]
}

# A subscription falls behind: its oldest unacknowledged message is older than
# var.oldest_unacked_alert_seconds. Every subscription nudge owns counts — the push consumers
# (events-*-push, journey-fanout-push) and the BigQuery subscriptions writing the warehouse (events-*-to-bigquery,
# warehouse-*-to-bigquery) — but not the dead-letter holds, whose messages wait for a person by
# design (the alert above). test/terraform/monitoring-policies.ts checks the pattern against every
# google_pubsub_subscription here.
resource "google_monitoring_alert_policy" "consumer_backlog" {
  display_name          = "${var.name_prefix}: subscriptions falling behind"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "Oldest unacked message older than ${var.oldest_unacked_alert_seconds} s"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id = monitoring.regex.full_match(\"(events-.*-push|journey-fanout-push|events-.*-to-bigquery|warehouse-.*-to-bigquery)\")"
      comparison      = "COMPARISON_GT"
      threshold_value = var.oldest_unacked_alert_seconds
      duration        = "300s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A subscription is not keeping up: a consumer function is failing or too slow (check its logs and errors in Cloud Run), or a BigQuery subscription cannot write (its messages end on the dead-letter topic). See docs/deploy.md, section Operating."
  }

  depends_on = [google_project_service.enabled]
}

# Event → profile lag, measured where it happens: after each fold commits, onPriorityEvent and
# onBrowseEvent log one `profile folded` line (functions/on-events.ts reportFold) with
# profile_lag_ms = commit time − the collector's received_at of the fold's oldest event. This
# log-based metric turns those lines into a distribution per stage. The lag is not in Pub/Sub's
# own metrics (push latency starts at delivery, not at the collector), and the warehouse's
# pipeline_latency view lags by the BigQuery subscription and samples only new identities.
resource "google_logging_metric" "profile_lag" {
  name   = "${var.name_prefix}/profile_lag_ms"
  filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = (\"${google_cloudfunctions2_function.consumer["on_priority_event"].name}\" OR \"${google_cloudfunctions2_function.consumer["on_browse_event"].name}\") AND jsonPayload.message = \"profile folded\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "${var.name_prefix}: event to profile lag"

    labels {
      key         = "stage"
      value_type  = "STRING"
      description = "The consumer that folded: on-priority-event or on-browse-event."
    }
  }

  value_extractor  = "EXTRACT(jsonPayload.profile_lag_ms)"
  label_extractors = { stage = "EXTRACT(jsonPayload.stage)" }

  # 1 ms × 1.25^k: each bucket 25 % wider than the last, up to about 100 minutes; a percentile read
  # from these buckets is within 25 % of the true one.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 70
      growth_factor      = 1.25
      scale              = 1
    }
  }

  depends_on = [google_project_service.enabled]
}

# p95 of that lag, per stage, over 5-minute windows, above var.profile_lag_p95_alert_ms for two
# windows running. ALIGN_DELTA keeps each window's histogram; REDUCE_PERCENTILE_95 merges the
# histograms of every revision and instance of a stage before taking the percentile.
resource "google_monitoring_alert_policy" "profile_lag" {
  display_name          = "${var.name_prefix}: event to profile lag"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "p95 event to profile lag above ${var.profile_lag_p95_alert_ms} ms"

    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.profile_lag.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.profile_lag_p95_alert_ms
      duration        = "300s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
        group_by_fields      = ["metric.label.stage"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Events take longer than the threshold to reach profiles (p95), so journeys react late. Check the consumer functions' errors and Firestore contention (hot profiles), and the backlog alert. See docs/warehouse.md, section pipeline_latency."
  }

  depends_on = [google_project_service.enabled]
}
