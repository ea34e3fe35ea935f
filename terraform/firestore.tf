# Profiles, idempotency markers and (later) timers and the send ledger live in Firestore, Native
# mode, in the project's (default) database so clients need no database id.
resource "google_firestore_database" "main" {
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"

  delete_protection_state = var.firestore_deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # Removing the resource from Terraform never deletes the data; delete the database by hand.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.enabled]
}

# applied_events records which event ids a profile already folded (idempotency under Pub/Sub's
# at-least-once delivery). A marker is only needed while redelivery is possible, so Firestore
# deletes it once its expire_at has passed. The empty index_config turns off the field's
# single-field indexes: nothing queries expire_at, and monotonically rising indexed timestamps
# create write hotspots.
resource "google_firestore_field" "applied_events_ttl" {
  database   = google_firestore_database.main.name
  collection = "applied_events"
  field      = "expire_at"

  ttl_config {}

  index_config {}
}

# product_interests holds one record per (product, identity), most of them anonymous browsers who
# never return. Each record carries expire_at = its latest view, add, request or purchase plus
# var.interest_retention (NUDGE_INTEREST_RETENTION), moved forward on every write, so Firestore
# deletes a record once nobody has touched it for that long (typically within a day after;
# the code already ignores it from expire_at on, functions/gcp/firestore-interest-store.ts). No
# single-field indexes on it, as above: nothing queries expire_at.
resource "google_firestore_field" "product_interests_ttl" {
  database   = google_firestore_database.main.name
  collection = "product_interests"
  field      = "expire_at"

  ttl_config {}

  index_config {}
}

# The frequency cap counts a person's sends since the start of their local day:
# send_ledger where person_id == … and sent_at >= … (functions/gcp/firestore-send-ledger.ts,
# countSentSince). An equality plus a range on another field needs this composite index.
resource "google_firestore_index" "send_ledger_person_sent_at" {
  database    = google_firestore_database.main.name
  collection  = "send_ledger"
  query_scope = "COLLECTION"

  fields {
    field_path = "person_id"
    order      = "ASCENDING"
  }

  fields {
    field_path = "sent_at"
    order      = "ASCENDING"
  }
}

# The timer sweep: journey_timers where due_at <= now order by due_at, timer_id limit n
# (functions/gcp/firestore-profile-store.ts, findDueTimers). A range plus a second order field
# needs this composite index; ordering by timer_id keeps ties in the same order as SQLite.
resource "google_firestore_index" "journey_timers_due_at_timer_id" {
  database    = google_firestore_database.main.name
  collection  = "journey_timers"
  query_scope = "COLLECTION"

  fields {
    field_path = "due_at"
    order      = "ASCENDING"
  }

  fields {
    field_path = "timer_id"
    order      = "ASCENDING"
  }
}

# Who cares about a product, first come: product_interests where product_id == … order by
# first_come_at, identity (functions/gcp/firestore-interest-store.ts, listInterested). An equality
# plus two order fields needs this composite index; identity keeps ties in SQLite's order.
resource "google_firestore_index" "product_interests_first_come" {
  database    = google_firestore_database.main.name
  collection  = "product_interests"
  query_scope = "COLLECTION"

  fields {
    field_path = "product_id"
    order      = "ASCENDING"
  }

  fields {
    field_path = "first_come_at"
    order      = "ASCENDING"
  }

  fields {
    field_path = "identity"
    order      = "ASCENDING"
  }
}

# Category best-sellers: best_sellers where category == … order by rank_key (count descending,
# then product id, in one string; firestore-interest-store.ts, getBestSellers).
resource "google_firestore_index" "best_sellers_category_rank" {
  database    = google_firestore_database.main.name
  collection  = "best_sellers"
  query_scope = "COLLECTION"

  fields {
    field_path = "category"
    order      = "ASCENDING"
  }

  fields {
    field_path = "rank_key"
    order      = "ASCENDING"
  }
}

# Similar items for recommendations (sweepTimers, at send time): catalog_items where category == …
# order by product_id (functions/gcp/firestore-catalog-store.ts, findItems). An equality plus an
# order on another field needs this composite index; the any-category query uses the automatic
# single-field index on product_id.
resource "google_firestore_index" "catalog_items_category_product" {
  database    = google_firestore_database.main.name
  collection  = "catalog_items"
  query_scope = "COLLECTION"

  fields {
    field_path = "category"
    order      = "ASCENDING"
  }

  fields {
    field_path = "product_id"
    order      = "ASCENDING"
  }
}
