# The Cloud Functions (gen2, Node.js 22). All four run the same source zip; the entry point picks
# the function registered with @google-cloud/functions-framework in functions/index.ts.

locals {
  # Consumers of the event topics: each gets a push subscription (pubsub.tf) and its own
  # service account (iam.tf).
  consumers = {
    on_priority_event = {
      entry_point = "onPriorityEvent"
      description = "Folds cart, checkout, order, identify, alias and consent events into profiles."
    }
    on_browse_event = {
      entry_point = "onBrowseEvent"
      description = "Folds product views, searches and pages into profiles, coalesced per person."
    }
    on_catalog_update = {
      entry_point = "onCatalogUpdate"
      description = "Applies stock and price changes sent by the shop's backend."
    }
  }

  # Every sizing knob of the functions, in one place (instance counts are variables).
  function_settings = {
    collect = {
      memory = "512Mi"
      cpu    = "1"
      # collect mostly waits on Pub/Sub publishes, so one instance serves many requests at once.
      concurrency     = 80
      timeout_seconds = 60
    }
    consumer = {
      memory = "512Mi"
      cpu    = "1"
      # Each request is a Firestore transaction on one profile; a moderate concurrency keeps
      # instance count low without piling transactions onto one instance.
      concurrency = 20
    }
  }

  # Read once at cold start by the functions' config parser.
  function_environment = merge(var.extra_environment_variables, {
    NUDGE_RUNTIME            = "gcp"
    GOOGLE_CLOUD_PROJECT     = var.project_id
    NUDGE_BQ_DATASET         = google_bigquery_dataset.main.dataset_id
    NUDGE_FIRESTORE_DATABASE = google_firestore_database.main.name
    LOG_EXECUTION_ID         = "true"
  })

  # The zip already holds the compiled dist/. An empty list stops the Node.js buildpack from
  # running `npm run build` (tsc), which would fail without the TypeScript sources.
  build_environment = {
    GOOGLE_NODE_RUN_SCRIPTS = ""
  }
}

# The Segment-compatible collector (POST /v1/track, /v1/identify, /v1/page, /v1/alias, /v1/batch).
# Public: browsers and SDKs call it with a write key, checked by the function itself.
resource "google_cloudfunctions2_function" "collect" {
  name        = "${var.name_prefix}-collect"
  location    = var.region
  description = "Validates, routes and publishes events sent by websites, apps and Segment SDKs."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "collect"
    service_account       = google_service_account.build.id
    environment_variables = local.build_environment

    source {
      storage_source {
        bucket = google_storage_bucket.functions_source.name
        object = google_storage_bucket_object.functions_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.collect.email
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    min_instance_count               = var.collect_min_instances
    max_instance_count               = var.collect_max_instances
    available_memory                 = local.function_settings.collect.memory
    available_cpu                    = local.function_settings.collect.cpu
    max_instance_request_concurrency = local.function_settings.collect.concurrency
    timeout_seconds                  = local.function_settings.collect.timeout_seconds
    environment_variables            = local.function_environment

    # "latest": new instances pick up a rotated key list; redeploy to roll it out at once.
    secret_environment_variables {
      key        = "NUDGE_WRITE_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.write_keys.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.collect_reads_write_keys,
    google_secret_manager_secret_version.write_keys,
  ]
}

# Pub/Sub push targets. Not public: only the push-invoker account may call them (iam.tf). A
# non-2xx answer makes Pub/Sub retry with backoff and dead-letter after max_delivery_attempts.
resource "google_cloudfunctions2_function" "consumer" {
  for_each = local.consumers

  name        = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  location    = var.region
  description = each.value.description

  build_config {
    runtime               = "nodejs22"
    entry_point           = each.value.entry_point
    service_account       = google_service_account.build.id
    environment_variables = local.build_environment

    source {
      storage_source {
        bucket = google_storage_bucket.functions_source.name
        object = google_storage_bucket_object.functions_source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.consumer[each.key].email
    ingress_settings                 = var.consumer_ingress
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = var.consumer_max_instances
    available_memory                 = local.function_settings.consumer.memory
    available_cpu                    = local.function_settings.consumer.cpu
    max_instance_request_concurrency = local.function_settings.consumer.concurrency
    timeout_seconds                  = var.consumer_timeout_seconds
    environment_variables            = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
  ]
}
