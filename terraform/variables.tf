# Every input of the nudge deployment. Defaults keep data in the EU; change all three locations
# together when the shop's data must live elsewhere.

variable "project_id" {
  description = "ID of the Google Cloud project nudge is deployed into (it must exist and have billing enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be 6-30 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region for the Cloud Functions, the function source bucket and the secret's consumers, e.g. europe-west1."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1 or us-central1."
  }
}

variable "firestore_location" {
  description = "Location of the Firestore database holding profiles: a multi-region (eur3, nam5) or a region. Cannot change after creation."
  type        = string
  default     = "eur3"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9]$", var.firestore_location))
    error_message = "firestore_location must be a Firestore location id such as eur3, nam5 or europe-west1."
  }
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset holding the event history: EU, US or a region. Cannot change after creation."
  type        = string
  default     = "EU"

  validation {
    condition     = can(regex("^(EU|US|[a-z]+-[a-z]+[0-9]+)$", var.bigquery_location))
    error_message = "bigquery_location must be EU, US or a region such as europe-west1."
  }
}

variable "bigquery_dataset_id" {
  description = "ID of the BigQuery dataset for the warehouse tables (events, dead_letters, ...). Passed to the functions as NUDGE_BQ_DATASET."
  type        = string
  default     = "nudge"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,1023}$", var.bigquery_dataset_id))
    error_message = "bigquery_dataset_id may contain only letters, digits and underscores, and must not start with a digit."
  }
}

variable "name_prefix" {
  description = "Prefix for function, service account and bucket names. Topic names are fixed by the code (pipelines/events/topics.ts), so a project holds one deployment."
  type        = string
  default     = "nudge"

  # Service account ids are at most 30 characters; the longest one is "<prefix>-on-catalog-update".
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,10}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-12 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "labels" {
  description = "Labels applied to every resource that supports them."
  type        = map(string)
  default = {
    app = "nudge"
  }

  validation {
    condition     = alltrue([for key, value in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", key)) && can(regex("^[a-z0-9_-]{0,63}$", value))])
    error_message = "Label keys must start with a lowercase letter; keys and values may contain only lowercase letters, digits, underscores and hyphens (63 characters at most)."
  }
}

variable "function_source_zip" {
  description = "Path of the functions source zip built by `npm run package:functions`, relative to the directory terraform runs in. Its md5 names the uploaded object, so a changed build redeploys."
  type        = string
  default     = "../build/functions-source.zip"

  validation {
    condition     = endswith(var.function_source_zip, ".zip")
    error_message = "function_source_zip must be the path of a .zip file (run `npm run package:functions` to build it)."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of one message to a consumer function (or to BigQuery) before Pub/Sub moves it to the dead-letter topic."
  type        = number
  default     = 5

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100 && floor(var.max_delivery_attempts) == var.max_delivery_attempts
    error_message = "max_delivery_attempts must be a whole number between 5 and 100 (Pub/Sub's limits)."
  }
}

variable "retry_minimum_backoff_seconds" {
  description = "Shortest wait before Pub/Sub redelivers a message the consumer failed (exponential backoff starts here)."
  type        = number
  default     = 10

  validation {
    condition     = var.retry_minimum_backoff_seconds >= 0 && var.retry_minimum_backoff_seconds <= 600
    error_message = "retry_minimum_backoff_seconds must be between 0 and 600."
  }
}

variable "retry_maximum_backoff_seconds" {
  description = "Longest wait between redeliveries of a failed message (the exponential backoff's ceiling)."
  type        = number
  default     = 600

  validation {
    condition     = var.retry_maximum_backoff_seconds >= 0 && var.retry_maximum_backoff_seconds <= 600
    error_message = "retry_maximum_backoff_seconds must be between 0 and 600."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the Pub/Sub consumer functions; the push subscriptions' ack deadline equals it, so Pub/Sub never redelivers a message that is still being handled."
  type        = number
  default     = 60

  validation {
    condition     = var.consumer_timeout_seconds >= 10 && var.consumer_timeout_seconds <= 540 && floor(var.consumer_timeout_seconds) == var.consumer_timeout_seconds
    error_message = "consumer_timeout_seconds must be a whole number between 10 and 540 (ack deadlines stop at 600 s)."
  }
}

variable "consumer_ingress" {
  description = "Ingress of the Pub/Sub consumer functions. ALLOW_INTERNAL_ONLY still admits Pub/Sub push from the same project; callers also need run.invoker."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.consumer_ingress)
    error_message = "consumer_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "collect_min_instances" {
  description = "Instances of the collect function kept warm. 0 costs nothing when idle; 1 removes cold starts from the first event of a session."
  type        = number
  default     = 0

  validation {
    condition     = var.collect_min_instances >= 0 && var.collect_min_instances <= 100 && floor(var.collect_min_instances) == var.collect_min_instances
    error_message = "collect_min_instances must be a whole number between 0 and 100."
  }
}

variable "collect_max_instances" {
  description = "Upper bound on collect instances: caps cost under a traffic spike (excess requests get 429 and SDKs retry)."
  type        = number
  default     = 20

  validation {
    condition     = var.collect_max_instances >= 1 && var.collect_max_instances <= 1000 && floor(var.collect_max_instances) == var.collect_max_instances
    error_message = "collect_max_instances must be a whole number between 1 and 1000."
  }
}

variable "consumer_max_instances" {
  description = "Upper bound on instances of each consumer function; also bounds concurrent Firestore writers."
  type        = number
  default     = 10

  validation {
    condition     = var.consumer_max_instances >= 1 && var.consumer_max_instances <= 1000 && floor(var.consumer_max_instances) == var.consumer_max_instances
    error_message = "consumer_max_instances must be a whole number between 1 and 1000."
  }
}

variable "write_keys_secret_id" {
  description = "Secret Manager secret holding the accepted write keys (comma-separated), exposed to collect as NUDGE_WRITE_KEYS."
  type        = string
  default     = "nudge-write-keys"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.write_keys_secret_id))
    error_message = "write_keys_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "write_keys" {
  description = "Write keys to store as the secret's first version. Leave empty to add versions yourself (gcloud secrets versions add) so keys stay out of the Terraform state."
  type        = list(string)
  default     = []
  sensitive   = true

  validation {
    condition     = alltrue([for key in var.write_keys : can(regex("^[^,\\s]+$", key))])
    error_message = "Write keys must be non-empty and contain no commas or whitespace."
  }
}

variable "server_write_keys_secret_id" {
  description = "Secret Manager secret holding the server write keys (comma-separated), exposed to collect and offers as NUDGE_SERVER_WRITE_KEYS. Only these keys may send Catalog Updated or check offer codes."
  type        = string
  default     = "nudge-server-write-keys"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.server_write_keys_secret_id))
    error_message = "server_write_keys_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "server_write_keys" {
  description = "Server write keys (the shop backend's) to store as the secret's first version. Leave empty to add versions yourself (gcloud secrets versions add) so keys stay out of the Terraform state."
  type        = list(string)
  default     = []
  sensitive   = true

  validation {
    condition     = alltrue([for key in var.server_write_keys : can(regex("^[^,\\s]+$", key))])
    error_message = "Server write keys must be non-empty and contain no commas or whitespace."
  }
}

variable "shop_domains" {
  description = "Host names catalog links (url, image_url of Catalog Updated) may point to, subdomains included (NUDGE_SHOP_DOMAINS). Empty: the host of shop_url."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for host in var.shop_domains : can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", host))])
    error_message = "shop_domains must be lower-case host names such as shop.example (no scheme, port or path)."
  }
}

variable "extra_environment_variables" {
  description = "Additional environment variables for every function (e.g. NUDGE_LOG_LEVEL). Must not override the NUDGE_RUNTIME, GOOGLE_CLOUD_PROJECT or NUDGE_BQ_DATASET set here, nor the secrets, NUDGE_PUBLIC_URL and NUDGE_TRACK_URL."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.extra_environment_variables), ["NUDGE_RUNTIME", "GOOGLE_CLOUD_PROJECT", "NUDGE_BQ_DATASET", "NUDGE_FIRESTORE_DATABASE", "NUDGE_WRITE_KEYS", "NUDGE_SERVER_WRITE_KEYS", "NUDGE_SHOP_DOMAINS", "NUDGE_LINK_KEYS", "SENDGRID_API_KEY", "NUDGE_PUBLIC_URL", "NUDGE_TRACK_URL"])) == 0
    error_message = "extra_environment_variables must not set NUDGE_RUNTIME, GOOGLE_CLOUD_PROJECT, NUDGE_BQ_DATASET, NUDGE_FIRESTORE_DATABASE, NUDGE_WRITE_KEYS, NUDGE_SERVER_WRITE_KEYS, NUDGE_SHOP_DOMAINS, NUDGE_LINK_KEYS, SENDGRID_API_KEY, NUDGE_PUBLIC_URL or NUDGE_TRACK_URL; they are managed here."
  }
}

variable "bigquery_deletion_protection" {
  description = "Refuse to destroy the warehouse tables (the event history is the source of truth). Set false only for throwaway deployments."
  type        = bool
  default     = true
}

variable "firestore_deletion_protection" {
  description = "Refuse to delete the Firestore database holding profiles. Set false only for throwaway deployments."
  type        = bool
  default     = true
}

variable "source_bucket_force_destroy" {
  description = "Let `terraform destroy` delete the function source bucket even when it still holds source zips."
  type        = bool
  default     = false
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/<p>/notificationChannels/<id>) told when messages are dead-lettered, a subscription falls behind or event to profile lag is high. Empty: alerts show in the console only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", channel))])
    error_message = "Each notification channel must be a full id: projects/<project>/notificationChannels/<id>."
  }
}

variable "oldest_unacked_alert_seconds" {
  description = "Alert when the oldest unacknowledged message of any nudge subscription (push consumers, BigQuery subscriptions) is older than this many seconds for 5 minutes."
  type        = number
  default     = 600

  validation {
    condition     = var.oldest_unacked_alert_seconds >= 60 && var.oldest_unacked_alert_seconds <= 604800
    error_message = "oldest_unacked_alert_seconds must be between 60 (one alignment period) and 604800 (Pub/Sub's 7-day retention)."
  }
}

variable "profile_lag_p95_alert_ms" {
  description = "Alert when the p95 event to profile lag (collector receipt to profile committed) of a consumer exceeds this many milliseconds over two 5-minute windows."
  type        = number
  default     = 10000

  # Browse events wait up to 1 s by design to coalesce profile writes (functions/on-events.ts).
  validation {
    condition     = var.profile_lag_p95_alert_ms > 1000 && var.profile_lag_p95_alert_ms <= 3600000
    error_message = "profile_lag_p95_alert_ms must be above 1000 (the browse coalescing window) and at most 3600000 (one hour)."
  }
}

# --- Journeys and sending (sweepTimers, unsubscribe) ---------------------------------------------

variable "sendgrid_api_key_secret_id" {
  description = "Secret Manager secret holding the SendGrid API key, exposed to sweepTimers as SENDGRID_API_KEY."
  type        = string
  default     = "nudge-sendgrid-api-key"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.sendgrid_api_key_secret_id))
    error_message = "sendgrid_api_key_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "sendgrid_api_key" {
  description = "SendGrid API key to store as the secret's first version. Leave empty to add it yourself (gcloud secrets versions add) so it stays out of the Terraform state."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.sendgrid_api_key == "" || can(regex("^SG\\.[A-Za-z0-9_.-]+$", var.sendgrid_api_key))
    error_message = "sendgrid_api_key must be empty or a SendGrid API key (SG.…)."
  }
}

variable "sendgrid_api_base" {
  description = "SendGrid API host (SENDGRID_API_BASE): https://api.sendgrid.com, or https://api.eu.sendgrid.com for EU data residency (needs an EU subuser's key)."
  type        = string
  default     = "https://api.sendgrid.com"

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.sendgrid_api_base))
    error_message = "sendgrid_api_base must be an https origin without a path, e.g. https://api.sendgrid.com."
  }
}

variable "sendgrid_webhook_public_key_secret_id" {
  description = "Secret Manager secret holding SendGrid's Event Webhook verification key, exposed to sendgridEvents as SENDGRID_WEBHOOK_PUBLIC_KEY. The function refuses to start without it."
  type        = string
  default     = "nudge-sendgrid-webhook-public-key"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.sendgrid_webhook_public_key_secret_id))
    error_message = "sendgrid_webhook_public_key_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "sendgrid_webhook_public_key" {
  description = "SendGrid's Event Webhook verification key (base64, from Mail Settings → Signed Event Webhook) to store as the secret's first version. Empty: add it with gcloud secrets versions add."
  type        = string
  default     = ""

  validation {
    condition     = var.sendgrid_webhook_public_key == "" || can(regex("^[A-Za-z0-9+/=]{80,400}$", var.sendgrid_webhook_public_key))
    error_message = "sendgrid_webhook_public_key must be empty or the base64 key SendGrid shows (no PEM header)."
  }
}

variable "link_keys_secret_id" {
  description = "Secret Manager secret holding the link-signing keys (comma-separated, newest first) of unsubscribe, click and open links and unique offer codes, exposed to sweepTimers, unsubscribe, track and offers as NUDGE_LINK_KEYS."
  type        = string
  default     = "nudge-link-keys"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.link_keys_secret_id))
    error_message = "link_keys_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "link_keys" {
  description = "Link-signing keys to store as the secret's first version, newest first. Leave empty to add them yourself (gcloud secrets versions add) so they stay out of the Terraform state."
  type        = list(string)
  default     = []
  sensitive   = true

  validation {
    condition     = alltrue([for key in var.link_keys : length(key) >= 32 && can(regex("^[^,\\s]+$", key))])
    error_message = "Each link key must be at least 32 characters, without commas or whitespace."
  }
}

variable "shop_name" {
  description = "Shop name shown in emails (NUDGE_SHOP_NAME)."
  type        = string
  default     = "Nudge Shop"

  validation {
    condition     = length(trimspace(var.shop_name)) > 0
    error_message = "shop_name must not be empty."
  }
}

variable "shop_url" {
  description = "Shop home page that email links point to (NUDGE_SHOP_URL)."
  type        = string
  default     = "https://shop.example"

  validation {
    condition     = can(regex("^https?://[^\\s]+$", var.shop_url))
    error_message = "shop_url must be an absolute http(s) URL."
  }
}

variable "shop_cart_url" {
  description = "Cart page that cart emails link back to (NUDGE_SHOP_CART_URL). Empty: <shop_url>/cart."
  type        = string
  default     = ""

  validation {
    condition     = var.shop_cart_url == "" || can(regex("^https?://[^\\s]+$", var.shop_cart_url))
    error_message = "shop_cart_url must be empty or an absolute http(s) URL."
  }
}

variable "shop_currency" {
  description = "ISO 4217 currency of the shop's prices (NUDGE_SHOP_CURRENCY), e.g. EUR."
  type        = string
  default     = "EUR"

  validation {
    condition     = can(regex("^[A-Z]{3}$", var.shop_currency))
    error_message = "shop_currency must be a three-letter ISO 4217 code in capitals, e.g. EUR."
  }
}

variable "postal_address" {
  description = "Sender's postal address printed in every marketing email (NUDGE_POSTAL_ADDRESS; CAN-SPAM and similar laws require one). Empty: the campaign's postal_address."
  type        = string
  default     = ""
}

variable "quiet_hours" {
  description = "Local hours without marketing email, as HH:MM-HH:MM in the person's time zone (NUDGE_QUIET_HOURS); sends are deferred, not dropped. \"off\" disables."
  type        = string
  default     = "21:00-08:00"

  validation {
    condition     = var.quiet_hours == "off" || can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.quiet_hours))
    error_message = "quiet_hours must look like 21:00-08:00, or be off."
  }
}

variable "default_timezone" {
  description = "IANA time zone for people without a timezone trait (NUDGE_DEFAULT_TIMEZONE), used by quiet hours and the daily cap."
  type        = string
  default     = "UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.default_timezone))
    error_message = "default_timezone must be an IANA time zone name such as UTC or Europe/Berlin."
  }
}

variable "holdout_percent" {
  description = "Share of people (0-100) kept as a control group: decided and logged as holdout, never emailed (NUDGE_HOLDOUT_PERCENT)."
  type        = number
  default     = 10

  validation {
    condition     = var.holdout_percent >= 0 && var.holdout_percent <= 100
    error_message = "holdout_percent must be between 0 and 100."
  }
}

variable "frequency_cap_per_day" {
  description = "Marketing emails per person per local day (NUDGE_FREQUENCY_CAP). 0 disables the cap."
  type        = number
  default     = 2

  validation {
    condition     = var.frequency_cap_per_day >= 0 && floor(var.frequency_cap_per_day) == var.frequency_cap_per_day
    error_message = "frequency_cap_per_day must be a whole number, 0 meaning no cap."
  }
}

variable "send_lease_ms" {
  description = "Milliseconds after which a send a crash left unfinished is settled from SendGrid's activity feed (NUDGE_SEND_LEASE_MS). The feed lags behind accepted emails with no documented bound, so the function refuses less than its 30-minute allowance (functions/gcp/sendgrid-evidence.ts)."
  type        = number
  default     = 1800000

  validation {
    condition     = var.send_lease_ms >= 1800000 && floor(var.send_lease_ms) == var.send_lease_ms
    error_message = "send_lease_ms must be a whole number of milliseconds, at least 1800000 (SendGrid's activity feed lag)."
  }
}

variable "journey_window" {
  description = "At most one journey email per person within this window, whatever the journey (NUDGE_JOURNEY_WINDOW), e.g. 12h or 1d; \"off\" disables. Skips are decided and logged with the reason journey_window."
  type        = string
  default     = "12h"

  validation {
    condition     = var.journey_window == "off" || can(regex("^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.journey_window)) && can(regex("[1-9]", var.journey_window))
    error_message = "journey_window must be a duration like 12h, 1d or 1h30m (units d, h, m, s, largest first), or off."
  }
}

variable "interest_retention" {
  description = "How long a product-interest record (who viewed, carted, asked for or bought a product) is kept after its latest activity (NUDGE_INTEREST_RETENTION), in days, e.g. 90d. Firestore's TTL policy deletes it after that. At least every campaign's lookback (back in stock 30d, price drop 14d by default; fanOutJourney refuses less) and at least 7d (Pub/Sub's redelivery horizon)."
  type        = string
  default     = "90d"

  validation {
    condition     = can(regex("^([7-9]|[1-9][0-9]+)d$", var.interest_retention))
    error_message = "interest_retention must be a whole number of days, at least 7, like 90d."
  }
}

# --- Live data at send time (sweepTimers; docs/live-data.md) ------------------------------------

variable "catalog_api_url" {
  description = "Base URL of the shop's product API that sweepTimers asks for current stock and prices at send time (NUDGE_CATALOG_API_URL; nudge appends /products?ids=…). Empty: live data comes from the catalog nudge keeps from Catalog Updated events."
  type        = string
  default     = ""

  validation {
    condition     = var.catalog_api_url == "" || can(regex("^https://[^\\s?#@]+$", var.catalog_api_url))
    error_message = "catalog_api_url must be empty or an https URL without credentials, query or fragment, e.g. https://shop.example/api/nudge."
  }
}

variable "catalog_api_uses_token" {
  description = "Whether the shop API takes a bearer token (NUDGE_CATALOG_API_TOKEN, from the Secret Manager secret catalog_api_token_secret_id). Only read when catalog_api_url is set; false for an API open without one."
  type        = bool
  default     = true
}

variable "catalog_api_token_secret_id" {
  description = "Secret Manager secret holding the shop API's bearer token, exposed to sweepTimers as NUDGE_CATALOG_API_TOKEN. Created only when catalog_api_url is set and catalog_api_uses_token is true."
  type        = string
  default     = "nudge-catalog-api-token"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.catalog_api_token_secret_id))
    error_message = "catalog_api_token_secret_id may contain only letters, digits, underscores and hyphens (255 characters at most)."
  }
}

variable "catalog_api_token" {
  description = "The shop API's bearer token to store as the secret's first version. Leave empty to add it yourself (gcloud secrets versions add) so it stays out of the Terraform state."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.catalog_api_token == "" || can(regex("^[!-~]+$", var.catalog_api_token))
    error_message = "catalog_api_token must be printable ASCII without spaces (it is sent as \"Authorization: Bearer <token>\")."
  }
}

variable "catalog_api_cache_ttl" {
  description = "How long sweepTimers reuses a shop API answer (NUDGE_CATALOG_API_CACHE_TTL), e.g. 60s or 5m, at most 24h; \"off\" asks every time. Empty: the code's default."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "off"], var.catalog_api_cache_ttl) || can(regex("^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$", var.catalog_api_cache_ttl)) && can(regex("[1-9]", var.catalog_api_cache_ttl))
    error_message = "catalog_api_cache_ttl must be empty, off, or a duration like 60s, 5m or 1h."
  }
}

variable "live_data_budget_ms" {
  description = "Milliseconds one send may spend reading live data (NUDGE_LIVE_DATA_BUDGET_MS), retries included; past it the email uses fallback content rather than waiting."
  type        = number
  default     = 800

  validation {
    condition     = var.live_data_budget_ms >= 100 && var.live_data_budget_ms <= 30000 && floor(var.live_data_budget_ms) == var.live_data_budget_ms
    error_message = "live_data_budget_ms must be a whole number of milliseconds between 100 and 30000."
  }
}

variable "reconcile_schedule" {
  description = "When Cloud Scheduler runs the nightly reconciliation and profile_snapshots (cron, UTC). Default 03:00, after most shops' evening peak."
  type        = string
  default     = "0 3 * * *"

  validation {
    condition     = length(split(" ", trimspace(var.reconcile_schedule))) == 5
    error_message = "reconcile_schedule must be a five-field cron expression, e.g. \"0 3 * * *\"."
  }
}

