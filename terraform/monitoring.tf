# Alerts for the two ways events stop flowing silently. Without notification channels they still
# open incidents in the console.

# A message reached a dead-letter topic: a consumer or BigQuery refused it max_delivery_attempts
# times. Nothing is lost (it waits in the -hold subscription), but someone must look.
resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "${var.name_prefix}: messages dead-lettered"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "A dead-letter hold subscription has messages"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.labels.subscription_id = monitoring.regex.full_match(\"events-.*-dead-letter-hold\")"
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

# A consumer falls behind: the oldest unacknowledged push message is over 10 minutes old.
resource "google_monitoring_alert_policy" "consumer_backlog" {
  display_name          = "${var.name_prefix}: consumers falling behind"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels

  conditions {
    display_name = "Oldest unacked push message older than 10 minutes"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id = monitoring.regex.full_match(\"events-.*-push\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 600
      duration        = "300s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A consumer function is failing or too slow. Check its logs and errors in Cloud Run; see docs/deploy.md, section Operating."
  }

  depends_on = [google_project_service.enabled]
}
