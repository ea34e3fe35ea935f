# The Cloud Functions (gen2, Node.js 22). All of them run the same source zip; the entry point picks
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
      description = "Applies stock and price changes sent by the shop's backend; starts back-in-stock and price-drop journeys."
    }
    # Fed by two subscriptions (pubsub.tf, interest_push), not one per topic like the others.
    record_interest = {
      entry_point = "recordInterest"
      description = "Records product views, adds, back-in-stock requests and orders as product interest, co-views and best sellers."
    }
    # Fed by the journey-fanout topic (pubsub.tf, journey_fanout_push), which it also publishes to.
    fan_out_journey = {
      entry_point = "fanOutJourney"
      description = "Arms back-in-stock and price-drop journey timers for one page of interested people, then publishes the next page."
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
    # One sweep at a time per instance; Cloud Scheduler calls once a minute. An overlapping sweep
    # is safe (timer leases and the send ledger), just wasted work.
    sweep_timers = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 1
      max_instances   = 2
      timeout_seconds = 540
    }
    # One nightly walk over every profile; a second one at once would judge the same profiles.
    # Up to an hour: Cloud Run keeps the request running after the scheduler's 30-minute deadline.
    reconcile = {
      memory          = "1Gi"
      cpu             = "1"
      concurrency     = 1
      max_instances   = 1
      timeout_seconds = 3600
    }
    # SendGrid batches up to thousands of events per POST and retries on any non-2xx.
    sendgrid_events = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 10
      max_instances   = 10
      timeout_seconds = 120
    }
    unsubscribe = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 20
      max_instances   = 10
      timeout_seconds = 60
    }
    # Opens and clicks arrive in bursts after a send (and from scanners all at once); each request
    # verifies a token and waits on one Pub/Sub publish, so one instance serves many at a time.
    track = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 80
      max_instances   = 20
      timeout_seconds = 30
    }
    # The shop's checkout asks once per discount code entered; each check is one HMAC over the
    # code (no Pub/Sub, no Firestore), so one instance answers many at once and a few suffice.
    offers = {
      memory          = "512Mi"
      cpu             = "1"
      concurrency     = 80
      max_instances   = 5
      timeout_seconds = 30
    }
  }

  # Read once at cold start by the functions' config parser.
  function_environment = merge(var.extra_environment_variables, {
    NUDGE_RUNTIME            = "gcp"
    GOOGLE_CLOUD_PROJECT     = var.project_id
    NUDGE_BQ_DATASET         = google_bigquery_dataset.main.dataset_id
    NUDGE_FIRESTORE_DATABASE = google_firestore_database.main.name
    LOG_EXECUTION_ID         = "true"
    # How long product interests live after their latest activity (expire_at; firestore.tf TTL).
    NUDGE_INTEREST_RETENTION = var.interest_retention
  })

  # What collect and onCatalogUpdate read to keep catalog links on the shop's domains
  # (NUDGE_SHOP_DOMAINS; empty: the host of NUDGE_SHOP_URL).
  catalog_environment = merge(local.function_environment, { for name, value in {
    NUDGE_SHOP_URL     = var.shop_url
    NUDGE_SHOP_DOMAINS = join(",", var.shop_domains)
  } : name => value if value != "" })

  # What journeys, decisions and emails read (functions/journey-config.ts). Secrets (the SendGrid
  # key, link-signing keys) come from Secret Manager; NUDGE_PUBLIC_URL is set per function.
  # Empty settings are left out: the code's defaults apply (e.g. the cart URL is <shop_url>/cart).
  journey_environment = merge(local.function_environment, { for name, value in {
    NUDGE_SHOP_NAME        = var.shop_name
    NUDGE_SHOP_URL         = var.shop_url
    NUDGE_SHOP_CART_URL    = var.shop_cart_url
    NUDGE_SHOP_CURRENCY    = var.shop_currency
    NUDGE_POSTAL_ADDRESS   = var.postal_address
    NUDGE_QUIET_HOURS      = var.quiet_hours
    NUDGE_DEFAULT_TIMEZONE = var.default_timezone
    NUDGE_HOLDOUT_PERCENT  = tostring(var.holdout_percent)
    NUDGE_FREQUENCY_CAP    = var.frequency_cap_per_day == 0 ? "off" : tostring(var.frequency_cap_per_day)
    NUDGE_SEND_LEASE_MS    = tostring(var.send_lease_ms)
    NUDGE_JOURNEY_WINDOW   = var.journey_window
    SENDGRID_API_BASE      = var.sendgrid_api_base
  } : name => value if value != "" })

  # Live data at send time (sweepTimers only; functions/live-data/live-data-config.ts). Without a
  # shop API URL, stock and prices come from the catalog in Firestore and no token is involved.
  catalog_api_token_enabled = var.catalog_api_url != "" && var.catalog_api_uses_token
  live_data_environment = { for name, value in {
    NUDGE_CATALOG_API_URL       = var.catalog_api_url
    NUDGE_CATALOG_API_CACHE_TTL = var.catalog_api_url == "" ? "" : var.catalog_api_cache_ttl
    NUDGE_LIVE_DATA_BUDGET_MS   = tostring(var.live_data_budget_ms)
  } : name => value if value != "" }

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
    environment_variables            = local.catalog_environment

    # "latest": new instances pick up a rotated key list; redeploy to roll it out at once.
    secret_environment_variables {
      key        = "NUDGE_WRITE_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.write_keys.secret_id
      version    = "latest"
    }

    # The shop backend's keys: the only ones that may send Catalog Updated.
    secret_environment_variables {
      key        = "NUDGE_SERVER_WRITE_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.server_write_keys.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.collect_reads_write_keys,
    google_secret_manager_secret_iam_member.collect_reads_server_write_keys,
    google_secret_manager_secret_version.write_keys,
    google_secret_manager_secret_version.server_write_keys,
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
    # onCatalogUpdate re-checks catalog links against the shop's domains; the others ignore them.
    environment_variables = local.catalog_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
  ]
}

# Fires due journey timers (cart reminders), sends through SendGrid and settles claims a crash left
# in doubt. Called once a minute by Cloud Scheduler (scheduler.tf) and by nobody else (iam.tf).
resource "google_cloudfunctions2_function" "sweep_timers" {
  name        = "${var.name_prefix}-sweep-timers"
  location    = var.region
  description = "Fires due journey timers: decides, renders and sends each email once."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "sweepTimers"
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
    service_account_email            = google_service_account.sweep_timers.email
    ingress_settings                 = var.consumer_ingress
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.sweep_timers.max_instances
    available_memory                 = local.function_settings.sweep_timers.memory
    available_cpu                    = local.function_settings.sweep_timers.cpu
    max_instance_request_concurrency = local.function_settings.sweep_timers.concurrency
    timeout_seconds                  = local.function_settings.sweep_timers.timeout_seconds
    # Unsubscribe links in every email point at the unsubscribe function; first-party click and
    # open links at the track function (a separate URL, hence NUDGE_TRACK_URL).
    environment_variables = merge(local.journey_environment, local.live_data_environment, {
      NUDGE_PUBLIC_URL = google_cloudfunctions2_function.unsubscribe.service_config[0].uri
      NUDGE_TRACK_URL  = google_cloudfunctions2_function.track.service_config[0].uri
    })

    secret_environment_variables {
      key        = "SENDGRID_API_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.sendgrid_api_key.secret_id
      version    = "latest"
    }

    secret_environment_variables {
      key        = "NUDGE_LINK_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.link_keys.secret_id
      version    = "latest"
    }

    # Mounted only with a shop API that takes a token (secrets.tf); otherwise there is no secret.
    dynamic "secret_environment_variables" {
      for_each = google_secret_manager_secret.catalog_api_token

      content {
        key        = "NUDGE_CATALOG_API_TOKEN"
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.sweep_timers_reads_sendgrid_api_key,
    google_secret_manager_secret_iam_member.sweep_timers_reads_link_keys,
    google_secret_manager_secret_iam_member.sweep_timers_reads_catalog_api_token,
    google_secret_manager_secret_version.sendgrid_api_key,
    google_secret_manager_secret_version.link_keys,
    google_secret_manager_secret_version.catalog_api_token,
  ]
}

# The List-Unsubscribe target of every email (one-click POST, GET confirmation page). Public:
# mail clients post to it without credentials; the signed token in the URL is the authority.
resource "google_cloudfunctions2_function" "unsubscribe" {
  name        = "${var.name_prefix}-unsubscribe"
  location    = var.region
  description = "One-click unsubscribe: verifies the signed link and withdraws marketing consent at once."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "unsubscribe"
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
    service_account_email            = google_service_account.unsubscribe.email
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.unsubscribe.max_instances
    available_memory                 = local.function_settings.unsubscribe.memory
    available_cpu                    = local.function_settings.unsubscribe.cpu
    max_instance_request_concurrency = local.function_settings.unsubscribe.concurrency
    timeout_seconds                  = local.function_settings.unsubscribe.timeout_seconds
    environment_variables            = local.journey_environment

    secret_environment_variables {
      key        = "NUDGE_LINK_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.link_keys.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.unsubscribe_reads_link_keys,
    google_secret_manager_secret_version.link_keys,
  ]
}

# First-party open pixel (/o/<token>.gif) and click redirect (/c/<token>) of campaigns with
# `tracking: first_party`. Public: mail clients and browsers fetch them without credentials; the
# signed, expiring token in the path is checked by the function itself (400 otherwise).
resource "google_cloudfunctions2_function" "track" {
  name        = "${var.name_prefix}-track"
  location    = var.region
  description = "Open pixel and click redirect: verifies the signed link, records an email_events row."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "track"
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
    service_account_email            = google_service_account.track.email
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.track.max_instances
    available_memory                 = local.function_settings.track.memory
    available_cpu                    = local.function_settings.track.cpu
    max_instance_request_concurrency = local.function_settings.track.concurrency
    timeout_seconds                  = local.function_settings.track.timeout_seconds
    environment_variables            = local.journey_environment

    secret_environment_variables {
      key        = "NUDGE_LINK_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.link_keys.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.track_reads_link_keys,
    google_secret_manager_secret_version.link_keys,
  ]
}

# The check of a unique offer's code (POST /v1/offers/check): the shop's checkout asks whether a
# code the shopper typed is one nudge issued and is still good. Public: the shop's backend calls it
# without Google credentials; a server write key (Basic-auth user) is checked by the function
# itself (401/403 otherwise). It alone holds both the link keys (codes are signed with them) and
# the server write keys, and needs nothing else: no Pub/Sub, no Firestore (iam.tf).
resource "google_cloudfunctions2_function" "offers" {
  name        = "${var.name_prefix}-offers"
  location    = var.region
  description = "Checks a unique offer code for the shop's checkout: server write key, then the code's signature and expiry."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "offers"
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
    service_account_email            = google_service_account.offers.email
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.offers.max_instances
    available_memory                 = local.function_settings.offers.memory
    available_cpu                    = local.function_settings.offers.cpu
    max_instance_request_concurrency = local.function_settings.offers.concurrency
    timeout_seconds                  = local.function_settings.offers.timeout_seconds
    environment_variables            = local.journey_environment

    # Codes are signed with the first link key and verify with any (rotation), as links do.
    secret_environment_variables {
      key        = "NUDGE_LINK_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.link_keys.secret_id
      version    = "latest"
    }

    # Only the shop backend's keys may check codes: the function refuses to start without one.
    secret_environment_variables {
      key        = "NUDGE_SERVER_WRITE_KEYS"
      project_id = var.project_id
      secret     = google_secret_manager_secret.server_write_keys.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.offers_reads_link_keys,
    google_secret_manager_secret_iam_member.offers_reads_server_write_keys,
    google_secret_manager_secret_version.link_keys,
    google_secret_manager_secret_version.server_write_keys,
  ]
}

# SendGrid's Event Webhook (delivery, bounces, opens, clicks, spam reports, unsubscribes). Public:
# SendGrid posts without Google credentials; the function verifies SendGrid's signature itself.
resource "google_cloudfunctions2_function" "sendgrid_events" {
  name        = "${var.name_prefix}-sendgrid-events"
  location    = var.region
  description = "SendGrid Event Webhook: verifies the signature, records email_events, suppresses bounced and complaining people."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "sendgridEvents"
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
    service_account_email            = google_service_account.sendgrid_events.email
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.sendgrid_events.max_instances
    available_memory                 = local.function_settings.sendgrid_events.memory
    available_cpu                    = local.function_settings.sendgrid_events.cpu
    max_instance_request_concurrency = local.function_settings.sendgrid_events.concurrency
    timeout_seconds                  = local.function_settings.sendgrid_events.timeout_seconds
    environment_variables            = local.function_environment

    secret_environment_variables {
      key        = "SENDGRID_WEBHOOK_PUBLIC_KEY"
      project_id = var.project_id
      secret     = google_secret_manager_secret.sendgrid_webhook_public_key.secret_id
      version    = "latest"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_secret_manager_secret_iam_member.sendgrid_events_reads_webhook_key,
    google_secret_manager_secret_version.sendgrid_webhook_public_key,
  ]
}

# Compares every profile with the BigQuery history each night, records diffs, fixes Firestore
# version-guarded and writes the day's profile_snapshots. Called by Cloud Scheduler (scheduler.tf)
# and by nobody else (iam.tf).
resource "google_cloudfunctions2_function" "reconcile" {
  name        = "${var.name_prefix}-reconcile"
  location    = var.region
  description = "Nightly reconciliation of profiles against the event history, and profile_snapshots."

  build_config {
    runtime               = "nodejs22"
    entry_point           = "reconcile"
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
    service_account_email            = google_service_account.reconcile.email
    ingress_settings                 = var.consumer_ingress
    all_traffic_on_latest_revision   = true
    min_instance_count               = 0
    max_instance_count               = local.function_settings.reconcile.max_instances
    available_memory                 = local.function_settings.reconcile.memory
    available_cpu                    = local.function_settings.reconcile.cpu
    max_instance_request_concurrency = local.function_settings.reconcile.concurrency
    timeout_seconds                  = local.function_settings.reconcile.timeout_seconds
    # Queries run where the dataset lives (a regional dataset needs its location named).
    environment_variables = merge(local.function_environment, {
      NUDGE_BIGQUERY_LOCATION = var.bigquery_location
    })
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.build_builds_functions,
    google_bigquery_table.reconcile,
  ]
}

