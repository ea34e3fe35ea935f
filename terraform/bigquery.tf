# The warehouse. Tables follow the sql/ conventions (DESIGN.md §3): partitioned by day, clustered
# by person. Pub/Sub BigQuery subscriptions (pubsub.tf) write the rows.

locals {
  # sql/tables/<table>.sql is the single source of each table (the embedded runtime runs it in
  # DuckDB); the .schema.json beside it is kept equal to it by a test, and is what BigQuery takes.
  events_schema_path       = "${path.module}/../sql/tables/events.schema.json"
  dead_letters_schema_path = "${path.module}/../sql/tables/dead_letters.schema.json"

  events_table_ref       = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.events.table_id}"
  dead_letters_table_ref = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.dead_letters.table_id}"
}

resource "google_bigquery_dataset" "main" {
  dataset_id  = var.bigquery_dataset_id
  location    = var.bigquery_location
  description = "nudge warehouse: event history, dead letters, sends and engagement facts."

  # Access is granted with google_bigquery_dataset_iam_member (iam.tf); no access blocks here,
  # they would fight over the same policy.
  depends_on = [google_project_service.enabled]
}

# Every accepted event, the history everything else can be rebuilt from.
resource "google_bigquery_table" "events" {
  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = "events"
  description         = "Every accepted event (one NudgeEvent per row), written by Pub/Sub BigQuery subscriptions. At-least-once: dedupe by event_id."
  schema              = file(local.events_schema_path)
  deletion_protection = var.bigquery_deletion_protection

  # occurred_at is clamped to at most 7 days before receipt, so streamed rows always land in a
  # recent partition.
  time_partitioning {
    type  = "DAY"
    field = "occurred_at"
  }

  clustering = ["user_id", "anonymous_id"]

  # As in the DDL: documents the key, and lets BigQuery optimise joins (it is not enforced).
  table_constraints {
    primary_key {
      columns = ["event_id"]
    }
  }
}

# Input the collector refused, with field-level errors, kept for `nudge dead-letters` and replay.
resource "google_bigquery_table" "dead_letters" {
  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = "dead_letters"
  description         = "Refused input (DeadLetter records) published to events-invalid, with the reason and field-level errors."
  schema              = file(local.dead_letters_schema_path)
  deletion_protection = var.bigquery_deletion_protection

  time_partitioning {
    type  = "DAY"
    field = "received_at"
  }

  clustering = ["stage", "source_id"]

  table_constraints {
    primary_key {
      columns = ["dead_letter_id"]
    }
  }
}

locals {
  # Fact tables written through a topic each (functions/gcp/pubsub-warehouse-rows.ts): each row is published to
  # the topic warehouse-<table>, whose BigQuery subscription (pubsub.tf) writes it here. Layout as
  # in sql/tables/<table>.sql; the schema is the .schema.json beside it.
  # Which function writes which: sweepTimers the journey facts, the profile consumers the identity
  # links, the webhook and tracking functions the email events (iam.tf grants each only its own).
  sweep_timers_fact_tables = ["decisions", "email_sends"]
  # The consumers that fold events into profiles write who is who (person_identities).
  profile_consumers = ["on_priority_event", "on_browse_event"]

  journey_tables = {
    decisions = {
      description     = "Every decision of the decisions stage (send, skip, defer, holdout) with its reason. At-least-once: dedupe by decision_id."
      partition_field = "decided_at"
      clustering      = ["person_id", "campaign_id"]
      primary_key     = "decision_id"
    }
    email_sends = {
      description     = "Final outcome of every email handed to SendGrid, one per send_id. At-least-once: dedupe by send_id."
      partition_field = "sent_at"
      clustering      = ["person_id", "campaign_id"]
      primary_key     = "send_id"
    }
    email_events = {
      description     = "Delivery and engagement of sent emails (SendGrid Event Webhook, first-party open pixel and click redirect). At-least-once: dedupe by email_event_id."
      partition_field = "occurred_at"
      clustering      = ["person_id", "campaign_id"]
      primary_key     = "email_event_id"
    }
    person_identities = {
      description     = "Identity links and merges written by the profile stage. At-least-once: dedupe by identity_link_id."
      partition_field = "linked_at"
      clustering      = ["identity_value", "person_id"]
      primary_key     = "identity_link_id"
    }
  }
}

resource "google_bigquery_table" "journey" {
  for_each = local.journey_tables

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = file("${path.module}/../sql/tables/${each.key}.schema.json")
  deletion_protection = var.bigquery_deletion_protection

  time_partitioning {
    type  = "DAY"
    field = each.value.partition_field
  }

  clustering = each.value.clustering

  table_constraints {
    primary_key {
      columns = [each.value.primary_key]
    }
  }
}

locals {
  # Written by the nightly reconcile function itself, not through Pub/Sub: one writer, once a night
  # (reconciliation_history by one INSERT ... SELECT per run, the others by streaming inserts keyed
  # by their primary key, functions/gcp/bigquery-warehouse.ts).
  reconcile_tables = {
    reconciliation_diffs = {
      description     = "Profile fields the event history disagreed with, per reconciliation run, and whether each was fixed."
      partition_field = "detected_at"
      clustering      = ["person_id", "field"]
      primary_key     = ["diff_id"]
      # Kept: the diffs are the record of what was wrong and what was fixed.
      partition_expiration_ms = null
    }
    reconciliation_runs = {
      description             = "One row per reconciliation run: people checked, diffs by field, fixes applied and skipped."
      partition_field         = "started_at"
      clustering              = ["run_id"]
      primary_key             = ["run_id"]
      partition_expiration_ms = null
    }
    # Working data of a run (what the history says of each person, staged once per night): a
    # week of it is kept for looking into a run's diffs, then its partitions expire.
    reconciliation_history = {
      description             = "Per run and person, what the profile should say according to the event history (staged by the reconciliation job)."
      partition_field         = "as_of"
      clustering              = ["run_id", "person_id"]
      primary_key             = ["run_id", "person_id"]
      partition_expiration_ms = 604800000
    }
    profile_snapshots = {
      description             = "Every profile as it stood on a day, one row per person per day (the people table analysts join to)."
      partition_field         = "snapshot_date"
      clustering              = ["person_id"]
      primary_key             = ["snapshot_id"]
      partition_expiration_ms = null
    }
  }
}

resource "google_bigquery_table" "reconcile" {
  for_each = local.reconcile_tables

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = file("${path.module}/../sql/tables/${each.key}.schema.json")
  deletion_protection = var.bigquery_deletion_protection

  # profile_snapshots partitions on its DATE column, the others on a TIMESTAMP's day.
  time_partitioning {
    type          = "DAY"
    field         = each.value.partition_field
    expiration_ms = each.value.partition_expiration_ms
  }

  clustering = each.value.clustering

  table_constraints {
    primary_key {
      columns = each.value.primary_key
    }
  }
}

# Views for analysts and `nudge kpis` (sql/views/<view>.sql, docs/warehouse.md). Each file is a
# `CREATE OR REPLACE VIEW ... OPTIONS (description = "...") AS <query>;` — the embedded warehouse
# runs it whole; here the query after its single `AS` line becomes the view's query and the
# description its description. BigQuery checks at creation that every table or view a view reads
# exists, so the views are created level by level: a view's level is above that of every view it
# reads. test/terraform/bigquery-views.test.ts computes the levels from the SQL and checks these
# lists; a new view goes into the level it names. deletion_protection is off for views: they hold
# no data and are made again from their file.
locals {
  bigquery_view_sql = {
    for file in fileset("${path.module}/../sql/views", "*.sql") :
    trimsuffix(file, ".sql") => templatefile("${path.module}/../sql/views/${file}", { dataset = google_bigquery_dataset.main.dataset_id })
  }
  bigquery_views = {
    for name, sql in local.bigquery_view_sql : name => {
      query       = trimsuffix(trimspace(split("\nAS\n", sql)[1]), ";")
      description = regex("OPTIONS \\(description = \"([^\"]*)\"\\)", sql)[0]
    }
  }

  bigquery_views_level_0 = ["attribution_settings", "decisions_deduped", "email_events_deduped", "email_sends_deduped", "kpi_targets", "person_identities_deduped", "profile_snapshots_deduped"]
  bigquery_views_level_1 = ["person_surviving", "pipeline_latency_samples"]
  bigquery_views_level_2 = ["campaign_sends", "events_with_person", "pipeline_latency"]
  bigquery_views_level_3 = ["campaign_engagement_daily", "orders_with_person"]
  bigquery_views_level_4 = ["attributed_orders", "holdout_uplift"]
  bigquery_views_level_5 = ["campaign_conversions"]
  bigquery_views_level_6 = ["variant_comparison"]
}

resource "google_bigquery_table" "views_level_0" {
  for_each = toset(local.bigquery_views_level_0)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.events, google_bigquery_table.dead_letters, google_bigquery_table.journey, google_bigquery_table.reconcile]
}

resource "google_bigquery_table" "views_level_1" {
  for_each = toset(local.bigquery_views_level_1)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_0]
}

resource "google_bigquery_table" "views_level_2" {
  for_each = toset(local.bigquery_views_level_2)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_1]
}

resource "google_bigquery_table" "views_level_3" {
  for_each = toset(local.bigquery_views_level_3)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_2]
}

resource "google_bigquery_table" "views_level_4" {
  for_each = toset(local.bigquery_views_level_4)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_3]
}

resource "google_bigquery_table" "views_level_5" {
  for_each = toset(local.bigquery_views_level_5)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_4]
}

resource "google_bigquery_table" "views_level_6" {
  for_each = toset(local.bigquery_views_level_6)

  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = each.key
  description         = local.bigquery_views[each.key].description
  deletion_protection = false

  view {
    query          = local.bigquery_views[each.key].query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.views_level_5]
}
