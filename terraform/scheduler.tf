# Journey timers come due in Firestore; Cloud Scheduler calls sweepTimers once a minute to fire
# them (the embedded runtime sweeps each second). The call carries an OIDC token of the
# scheduler-invoker account, the only identity allowed to invoke sweepTimers (iam.tf).
resource "google_cloud_scheduler_job" "sweep_timers" {
  name        = "${var.name_prefix}-sweep-timers"
  region      = var.region
  description = "Fires due journey timers (cart reminders) each minute."
  schedule    = "* * * * *"
  time_zone   = "Etc/UTC"
  # As long as the function may run; a sweep that overruns overlaps the next one safely.
  attempt_deadline = "${local.function_settings.sweep_timers.timeout_seconds}s"

  # No retries: the next minute's call finds the same due timers.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.sweep_timers.service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler_invoker.email
      audience              = google_cloudfunctions2_function.sweep_timers.service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_service_iam_member.scheduler_invokes_sweep_timers,
  ]
}

# Each night Cloud Scheduler calls reconcile (profiles against the event history, version-guarded
# fixes, profile_snapshots), with the same invoker account's OIDC token.
resource "google_cloud_scheduler_job" "reconcile" {
  name        = "${var.name_prefix}-reconcile"
  region      = var.region
  description = "Reconciles profiles with the event history and writes the day's profile_snapshots, nightly."
  schedule    = var.reconcile_schedule
  time_zone   = "Etc/UTC"
  # Cloud Scheduler waits at most 30 minutes for an HTTP target; a longer run goes on in the
  # function (its timeout is an hour) and is logged here as a deadline miss, not retried.
  attempt_deadline = "1800s"

  # No retries: a run cut short is finished by the next night's, and two at once would race.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.reconcile.service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler_invoker.email
      audience              = google_cloudfunctions2_function.reconcile.service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_service_iam_member.scheduler_invokes_reconcile,
  ]
}

