import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { block, loadTerraform } from './terraform-config.ts';
import type { Body, TerraformConfig } from './terraform-config.ts';
import { policies } from './policies.ts';
import type { PolicyName } from './policies.ts';

// Every policy must be able to fail: each is run on a copy of terraform/ broken on purpose.

let config: TerraformConfig;
before(async () => {
  config = await loadTerraform();
});

/** A broken copy of the configuration for each policy: the policy must notice. */
type Breakage = { policy: PolicyName; what: string; expect: RegExp; breakIt: (c: TerraformConfig) => void };

function body(c: TerraformConfig, type: string, name: string): Body {
  const found = c.resource[type]?.[name]?.[0];
  assert.ok(found, `${type}.${name} exists`);
  return found;
}
function nested(parent: Body | undefined, name: string): Body {
  const found = block(parent, name);
  assert.ok(found, `block ${name} exists`);
  return found;
}

const breakages: Breakage[] = [
  {
    policy: 'topicsMatchCode',
    what: 'an event topic renamed away from pipelines/events/topics.ts',
    expect: /differ from pipelines\/events\/topics\.ts/,
    breakIt: (c) => {
      (c.locals.event_topics as Record<string, Record<string, string>>).browse!.topic = 'events-browsing';
    },
  },
  {
    policy: 'pushSubscriptionsRetryAndDeadLetter',
    what: 'a push subscription without dead-letter policy',
    expect: /has no dead-letter topic/,
    breakIt: (c) => {
      delete body(c, 'google_pubsub_subscription', 'push').dead_letter_policy;
    },
  },
  {
    policy: 'pushSubscriptionsRetryAndDeadLetter',
    what: 'a push subscription without retry policy',
    expect: /has no retry policy/,
    breakIt: (c) => {
      delete body(c, 'google_pubsub_subscription', 'push').retry_policy;
    },
  },
  {
    policy: 'pushUsesOidcInvoker',
    what: 'pushes signed as the collect account',
    expect: /not the push-invoker account/,
    breakIt: (c) => {
      nested(nested(body(c, 'google_pubsub_subscription', 'push'), 'push_config'), 'oidc_token').service_account_email = '${google_service_account.collect.email}';
    },
  },
  {
    policy: 'subscriptionsOutliveIdlePeriods',
    what: 'a subscription with the default 31-day expiry',
    expect: /expires when idle/,
    breakIt: (c) => {
      delete body(c, 'google_pubsub_subscription', 'warehouse').expiration_policy;
    },
  },
  {
    policy: 'subscriptionsOutliveIdlePeriods',
    what: 'dead-letter topics nobody subscribes to',
    expect: /has no subscription: dead letters would be dropped/,
    breakIt: (c) => {
      delete c.resource.google_pubsub_subscription!.dead_letter_hold;
    },
  },
  {
    policy: 'pubsubAgentCanDeadLetter',
    what: 'the agent unable to ack push subscriptions',
    expect: /cannot ack google_pubsub_subscription\.push\["priority"\]/,
    breakIt: (c) => {
      delete c.resource.google_pubsub_subscription_iam_member!.agent_acks_push;
    },
  },
  {
    policy: 'pubsubAgentCanDeadLetter',
    what: 'the agent unable to publish dead letters',
    expect: /cannot publish to dead-letter topic/,
    breakIt: (c) => {
      body(c, 'google_pubsub_topic_iam_member', 'agent_publishes_dead_letters').role = 'roles/pubsub.viewer';
    },
  },
  {
    policy: 'bigquerySubscriptionsStoreEverything',
    what: 'a BigQuery subscription that writes message metadata',
    expect: /write no metadata/,
    breakIt: (c) => {
      nested(body(c, 'google_pubsub_subscription', 'warehouse'), 'bigquery_config').write_metadata = true;
    },
  },
  {
    policy: 'bigquerySubscriptionsStoreEverything',
    what: 'a BigQuery subscription without the JSON-column transform',
    expect: /does not stringify JSON columns/,
    breakIt: (c) => {
      delete body(c, 'google_pubsub_subscription', 'invalid_to_warehouse').message_transforms;
    },
  },
  {
    policy: 'bigquerySubscriptionsStoreEverything',
    what: 'refused input with no BigQuery subscription',
    expect: /google_pubsub_topic\.invalid has no BigQuery subscription/,
    breakIt: (c) => {
      delete c.resource.google_pubsub_subscription!.invalid_to_warehouse;
    },
  },
  {
    policy: 'eventsTableLayout',
    what: 'events clustered by event_id',
    expect: /not clustered by \[user_id, anonymous_id\]/,
    breakIt: (c) => {
      body(c, 'google_bigquery_table', 'events').clustering = ['event_id'];
    },
  },
  {
    policy: 'eventsTableLayout',
    what: 'events partitioned by hour',
    expect: /not partitioned by DAY on occurred_at/,
    breakIt: (c) => {
      nested(body(c, 'google_bigquery_table', 'events'), 'time_partitioning').type = 'HOUR';
    },
  },
  {
    policy: 'deadLettersTableLayout',
    what: 'dead_letters read from a schema missing DeadLetter fields',
    expect: /dead_letters has no column for DeadLetter\.errors: it would be dropped silently/,
    breakIt: (c) => {
      const dir = mkdtempSync(join(tmpdir(), 'nudge-tf-'));
      mkdirSync(join(dir, 'sql/tables'), { recursive: true });
      const schema = join(dir, 'sql/tables/dead_letters.schema.json');
      writeFileSync(schema, JSON.stringify([{ name: 'dead_letter_id', type: 'STRING', mode: 'REQUIRED' }, { name: 'received_at', type: 'TIMESTAMP', mode: 'REQUIRED' }]));
      c.locals.dead_letters_schema_path = schema;
    },
  },
  {
    policy: 'deadLettersTableLayout',
    what: 'dead_letters without its primary key',
    expect: /dead_letters primary key is not \[dead_letter_id\]/,
    breakIt: (c) => {
      delete body(c, 'google_bigquery_table', 'dead_letters').table_constraints;
    },
  },
  {
    policy: 'firestoreTtl',
    what: 'no TTL on applied_events',
    expect: /no TTL policy on applied_events\.expire_at/,
    breakIt: (c) => {
      delete body(c, 'google_firestore_field', 'applied_events_ttl').ttl_config;
    },
  },
  {
    policy: 'interestRetention',
    what: 'no TTL on product_interests',
    expect: /no TTL policy on product_interests\.expire_at/,
    breakIt: (c) => {
      delete body(c, 'google_firestore_field', 'product_interests_ttl').ttl_config;
    },
  },
  {
    policy: 'interestRetention',
    what: 'the TTL on another field than the one the code writes',
    expect: /no TTL policy on product_interests\.expire_at/,
    breakIt: (c) => {
      body(c, 'google_firestore_field', 'product_interests_ttl').field = 'last_viewed_at';
    },
  },
  {
    policy: 'interestRetention',
    what: 'the functions not told the retention',
    expect: /does not set NUDGE_INTEREST_RETENTION from var\.interest_retention/,
    breakIt: (c) => {
      c.locals.function_environment = String(c.locals.function_environment).replace(/\n\s*NUDGE_INTEREST_RETENTION[^\n]*/, '');
    },
  },
  {
    policy: 'firestoreCompositeIndexes',
    what: 'the send ledger index without sent_at',
    expect: /no composite index on send_ledger \(person_id ASCENDING, sent_at ASCENDING\)/,
    breakIt: (c) => {
      const index = body(c, 'google_firestore_index', 'send_ledger_person_sent_at');
      index.fields = (index.fields as Body[]).filter((f) => f.field_path !== 'sent_at');
    },
  },
  {
    policy: 'firestoreCompositeIndexes',
    what: 'the send ledger index on a collection group scope',
    expect: /no composite index on send_ledger/,
    breakIt: (c) => {
      body(c, 'google_firestore_index', 'send_ledger_person_sent_at').query_scope = 'COLLECTION_GROUP';
    },
  },
  {
    policy: 'functionsRuntime',
    what: 'a consumer on nodejs20',
    expect: /runtime is nodejs20, not nodejs22/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'consumer'), 'build_config').runtime = 'nodejs20';
    },
  },
  {
    policy: 'functionsHaveOwnServiceAccounts',
    what: 'consumers running as collect',
    expect: /shares google_service_account\.collect/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'consumer'), 'service_config').service_account_email = '${google_service_account.collect.email}';
    },
  },
  {
    policy: 'noBroadRoles',
    what: 'a build account made editor',
    expect: /grants roles\/editor/,
    breakIt: (c) => {
      body(c, 'google_project_iam_member', 'build_builds_functions').role = 'roles/editor';
    },
  },
  {
    policy: 'noBroadRoles',
    what: 'publishing granted on the whole project',
    expect: /grants roles\/pubsub\.publisher on the whole project/,
    breakIt: (c) => {
      body(c, 'google_project_iam_member', 'consumer_uses_firestore').role = 'roles/pubsub.publisher';
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'consumers opened to allUsers',
    expect: /makes something other than collect, unsubscribe, track, sendgrid_events or offers public/,
    breakIt: (c) => {
      body(c, 'google_cloud_run_service_iam_member', 'push_invoker_invokes_consumer').member = 'allUsers';
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'unsubscribe not public',
    expect: /unsubscribe is not public: mail clients could not unsubscribe/,
    breakIt: (c) => {
      delete c.resource.google_cloud_run_service_iam_member!.unsubscribe_is_public;
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'the catalog consumer allowed to write identity rows',
    expect: /consumer\["on_catalog_update"\]'s grants/,
    breakIt: (c) => {
      (c.locals.profile_consumers as string[]).push('on_catalog_update');
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'sendgridEvents not public',
    expect: /sendgrid_events is not public: SendGrid could not post its events/,
    breakIt: (c) => {
      delete c.resource.google_cloud_run_service_iam_member!.sendgrid_events_is_public;
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'sendgridEvents also reading the link-signing keys',
    expect: /google_service_account\.sendgrid_events's grants/,
    breakIt: (c) => {
      body(c, 'google_secret_manager_secret_iam_member', 'unsubscribe_reads_link_keys').member = 'serviceAccount:${google_service_account.sendgrid_events.email}';
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'track not public',
    expect: /track is not public: people's clicks would not reach the shop/,
    breakIt: (c) => {
      delete c.resource.google_cloud_run_service_iam_member!.track_is_public;
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'sweepTimers accepting traffic from anywhere',
    expect: /sweep_timers accepts traffic from anywhere/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config').ingress_settings = 'ALLOW_ALL';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'the scheduler job calling without an OIDC token',
    expect: /calls without an OIDC token/,
    breakIt: (c) => {
      delete nested(body(c, 'google_cloud_scheduler_job', 'sweep_timers'), 'http_target').oidc_token;
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'the scheduler job signing as the push invoker',
    expect: /not the scheduler-invoker account/,
    breakIt: (c) => {
      nested(nested(body(c, 'google_cloud_scheduler_job', 'sweep_timers'), 'http_target'), 'oidc_token').service_account_email = '${google_service_account.push_invoker.email}';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'the sweep scheduled hourly',
    expect: /runs on "0 \* \* \* \*", not each minute/,
    breakIt: (c) => {
      body(c, 'google_cloud_scheduler_job', 'sweep_timers').schedule = '0 * * * *';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'the scheduler-invoker account also invoking unsubscribe',
    expect: /scheduler-invoker account has a grant beyond invoking sweepTimers/,
    breakIt: (c) => {
      body(c, 'google_cloud_run_service_iam_member', 'unsubscribe_is_public').member = 'serviceAccount:${google_service_account.scheduler_invoker.email}';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'the push invoker allowed to call sweepTimers',
    expect: /may call sweepTimers/,
    breakIt: (c) => {
      c.resource.google_cloud_run_service_iam_member!.push_invokes_sweep = [
        { location: '${google_cloudfunctions2_function.sweep_timers.location}', service: '${google_cloudfunctions2_function.sweep_timers.name}', role: 'roles/run.invoker', member: 'serviceAccount:${google_service_account.push_invoker.email}' },
      ];
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'no scheduler job',
    expect: /no Cloud Scheduler job calls sweepTimers/,
    breakIt: (c) => {
      delete c.resource.google_cloud_scheduler_job;
    },
  },
  {
    policy: 'warehouseTopicsStoreRows',
    what: 'warehouse topics without their BigQuery subscriptions',
    expect: /google_pubsub_topic\.warehouse_rows\["decisions"\] has no BigQuery subscription/,
    breakIt: (c) => {
      delete c.resource.google_pubsub_subscription!.warehouse_rows;
    },
  },
  {
    policy: 'warehouseTopicsStoreRows',
    what: 'warehouse subscriptions without the JSON-column transform',
    expect: /warehouse_rows\["email_sends"\] does not stringify JSON columns/,
    breakIt: (c) => {
      delete body(c, 'google_pubsub_subscription', 'warehouse_rows').message_transforms;
    },
  },
  {
    policy: 'warehouseTopicsStoreRows',
    what: 'warehouse subscriptions writing to the events table',
    expect: /writes to \$\{local\.events_table_ref\}, not the table decisions/,
    breakIt: (c) => {
      nested(body(c, 'google_pubsub_subscription', 'warehouse_rows'), 'bigquery_config').table = '${local.events_table_ref}';
    },
  },
  {
    policy: 'warehouseTopicsStoreRows',
    what: 'no topic for email_sends',
    expect: /warehouse topics \["warehouse-decisions","warehouse-email_events","warehouse-person_identities"\] differ/,
    breakIt: (c) => {
      delete (c.locals.journey_tables as Record<string, unknown>).email_sends;
    },
  },
  {
    policy: 'journeyTablesLayout',
    what: 'decisions partitioned on the wrong column',
    expect: /decisions is not partitioned by DAY on decided_at/,
    breakIt: (c) => {
      (c.locals.journey_tables as Record<string, Record<string, unknown>>).decisions!.partition_field = 'defer_until';
    },
  },
  {
    policy: 'journeyTablesLayout',
    what: 'email_sends without its primary key',
    expect: /email_sends primary key is not \[send_id\]/,
    breakIt: (c) => {
      (c.locals.journey_tables as Record<string, Record<string, unknown>>).email_sends!.primary_key = 'person_id';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'collect allowed to read Firestore',
    expect: /collect's grants/,
    breakIt: (c) => {
      c.resource.google_project_iam_member!.collect_firestore = [{ project: '${var.project_id}', role: 'roles/datastore.user', member: 'serviceAccount:${google_service_account.collect.email}' }];
    },
  },
  {
    policy: 'collectReadsBothKeyLists',
    what: 'collect without the server write keys',
    expect: /collect has no NUDGE_SERVER_WRITE_KEYS/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'collect'), 'service_config');
      config.secret_environment_variables = (config.secret_environment_variables as Record<string, unknown>[]).filter((s) => s.key !== 'NUDGE_SERVER_WRITE_KEYS');
    },
  },
  {
    policy: 'collectReadsBothKeyLists',
    what: 'the server write keys read from the browser keys secret',
    expect: /NUDGE_SERVER_WRITE_KEYS comes from .*write_keys.*, not google_secret_manager_secret\.server_write_keys/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'collect'), 'service_config');
      const server = (config.secret_environment_variables as Record<string, unknown>[]).find((s) => s.key === 'NUDGE_SERVER_WRITE_KEYS')!;
      server.secret = '${google_secret_manager_secret.write_keys.secret_id}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'sweepTimers allowed to publish events',
    expect: /google_service_account\.sweep_timers's grants/,
    breakIt: (c) => {
      body(c, 'google_pubsub_topic_iam_member', 'unsubscribe_publishes_invalid').member = 'serviceAccount:${google_service_account.sweep_timers.email}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'unsubscribe allowed to read the SendGrid key',
    expect: /google_service_account\.unsubscribe's grants/,
    breakIt: (c) => {
      body(c, 'google_secret_manager_secret_iam_member', 'sweep_timers_reads_sendgrid_api_key').member = 'serviceAccount:${google_service_account.unsubscribe.email}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'track allowed to publish decisions',
    expect: /google_service_account\.track's grants/,
    breakIt: (c) => {
      body(c, 'google_pubsub_topic_iam_member', 'track_publishes_email_events').topic = '${google_pubsub_topic.warehouse_rows["decisions"].name}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'track allowed to use Firestore',
    expect: /google_service_account\.track's grants/,
    breakIt: (c) => {
      body(c, 'google_project_iam_member', 'unsubscribe_uses_firestore').member = 'serviceAccount:${google_service_account.track.email}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'track running as the unsubscribe account',
    expect: /track runs as google_service_account\.unsubscribe, not google_service_account\.track/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'track'), 'service_config').service_account_email = '${google_service_account.unsubscribe.email}';
    },
  },
  {
    policy: 'onlyOutsideFacingFunctionsArePublic',
    what: 'offers not public',
    expect: /offers is not public: the shop's checkout could not check offer codes/,
    breakIt: (c) => {
      delete c.resource.google_cloud_run_service_iam_member!.offers_is_public;
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'offers allowed to publish email_events rows',
    expect: /google_service_account\.offers's grants/,
    breakIt: (c) => {
      body(c, 'google_pubsub_topic_iam_member', 'track_publishes_email_events').member = 'serviceAccount:${google_service_account.offers.email}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'offers allowed to read the browser write keys',
    expect: /google_service_account\.offers's grants/,
    breakIt: (c) => {
      body(c, 'google_secret_manager_secret_iam_member', 'offers_reads_server_write_keys').secret_id = '${google_secret_manager_secret.write_keys.id}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'offers running as the track account',
    expect: /offers runs as google_service_account\.track, not google_service_account\.offers/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'offers'), 'service_config').service_account_email = '${google_service_account.track.email}';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'a new function whose account no expectation covers',
    expect: /google_cloudfunctions2_function\.coupons runs as google_service_account\.coupons, whose grants no expectation here covers/,
    breakIt: (c) => {
      const coupons = structuredClone(body(c, 'google_cloudfunctions2_function', 'offers'));
      nested(coupons, 'service_config').service_account_email = '${google_service_account.coupons.email}';
      c.resource.google_cloudfunctions2_function!.coupons = [coupons];
      c.resource.google_service_account!.coupons = [{ account_id: '${var.name_prefix}-coupons' }];
    },
  },
  {
    policy: 'offersReadsItsKeys',
    what: 'offers without the server write keys',
    expect: /offers has no NUDGE_SERVER_WRITE_KEYS from Secret Manager/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'offers'), 'service_config');
      config.secret_environment_variables = (config.secret_environment_variables as Body[]).filter((s) => s.key !== 'NUDGE_SERVER_WRITE_KEYS');
    },
  },
  {
    policy: 'offersReadsItsKeys',
    what: 'offers checking callers against the browser write keys',
    expect: /offers's NUDGE_SERVER_WRITE_KEYS comes from .*write_keys.*, not google_secret_manager_secret\.server_write_keys/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'offers'), 'service_config');
      (config.secret_environment_variables as Body[]).find((s) => s.key === 'NUDGE_SERVER_WRITE_KEYS')!.secret = '${google_secret_manager_secret.write_keys.secret_id}';
    },
  },
  {
    policy: 'offersReadsItsKeys',
    what: 'offers also handed the SendGrid key',
    expect: /offers also mounts SENDGRID_API_KEY/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'offers'), 'service_config');
      (config.secret_environment_variables as Body[]).push({ key: 'SENDGRID_API_KEY', project_id: '${var.project_id}', secret: '${google_secret_manager_secret.sendgrid_api_key.secret_id}', version: 'latest' });
    },
  },
  {
    policy: 'functionsRuntime',
    what: 'a function registered in functions/index.ts but not deployed',
    expect: /no function with entry point offers \(registered in functions\/index\.ts\)/,
    breakIt: (c) => {
      delete c.resource.google_cloudfunctions2_function!.offers;
    },
  },
  {
    policy: 'functionsRuntime',
    what: 'an entry point the code does not register',
    expect: /entry point checkOffer is not registered in functions\/index\.ts/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'offers'), 'build_config').entry_point = 'checkOffer';
    },
  },
  {
    policy: 'sweepTimersLinksPointAtTheirFunctions',
    what: 'click links pointing at the unsubscribe function',
    expect: /NUDGE_TRACK_URL is the URL of unsubscribe, not of track/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config');
      config.environment_variables = String(config.environment_variables).replace('google_cloudfunctions2_function.track.service_config', 'google_cloudfunctions2_function.unsubscribe.service_config');
    },
  },
  {
    policy: 'sweepTimersLinksPointAtTheirFunctions',
    what: 'NUDGE_TRACK_URL left out',
    expect: /sweepTimers has no NUDGE_TRACK_URL/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config');
      config.environment_variables = String(config.environment_variables).replace(/\n\s*NUDGE_TRACK_URL[^\n]*/, '');
    },
  },
  {
    policy: 'sweepTimersLinksPointAtTheirFunctions',
    what: 'track without the link keys',
    expect: /track does not read NUDGE_LINK_KEYS/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'track'), 'service_config');
      delete config.secret_environment_variables;
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'sweepTimers running as a consumer account',
    expect: /sweep_timers runs as google_service_account\.consumer\["on_priority_event"\], not google_service_account\.sweep_timers/,
    breakIt: (c) => {
      nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config').service_account_email = '${google_service_account.consumer["on_priority_event"].email}';
    },
  },
  {
    policy: 'reconcileTablesLayout',
    what: 'profile_snapshots keyed by person alone (one row per person, not per day)',
    expect: /profile_snapshots primary key is not \[snapshot_id\]/,
    breakIt: (c) => {
      (c.locals.reconcile_tables as Record<string, Record<string, unknown>>).profile_snapshots!.primary_key = 'person_id';
    },
  },
  {
    policy: 'reconcileTablesLayout',
    what: 'reconciliation_diffs partitioned on a column that is not its time',
    expect: /reconciliation_diffs is not partitioned by DAY on detected_at/,
    breakIt: (c) => {
      (c.locals.reconcile_tables as Record<string, Record<string, unknown>>).reconciliation_diffs!.partition_field = 'field';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'no nightly job calling reconcile',
    expect: /no Cloud Scheduler job calls reconcile/,
    breakIt: (c) => {
      delete c.resource.google_cloud_scheduler_job!.reconcile;
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'reconcile scheduled each minute instead of var.reconcile_schedule',
    expect: /reconcile runs on "\* \* \* \* \*", not var\.reconcile_schedule/,
    breakIt: (c) => {
      body(c, 'google_cloud_scheduler_job', 'reconcile').schedule = '* * * * *';
    },
  },
  {
    policy: 'schedulerInvokesOnlySweepTimers',
    what: 'reconcile made public',
    expect: /allUsers may call reconcile/,
    breakIt: (c) => {
      body(c, 'google_cloud_run_service_iam_member', 'scheduler_invokes_reconcile').member = 'allUsers';
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'reconcile allowed to edit the whole dataset (events included)',
    expect: /google_service_account\.reconcile's grants/,
    breakIt: (c) => {
      body(c, 'google_bigquery_dataset_iam_member', 'reconcile_reads_warehouse').role = 'roles/bigquery.dataEditor';
    },
  },
  {
    policy: 'noBroadRoles',
    what: 'reconcile granted BigQuery data access on the whole project',
    expect: /grants roles\/bigquery\.dataViewer on the whole project/,
    breakIt: (c) => {
      body(c, 'google_project_iam_member', 'reconcile_runs_queries').role = 'roles/bigquery.dataViewer';
    },
  },
  {
    policy: 'variablesDocumented',
    what: 'an undocumented variable',
    expect: /variable region has no description/,
    breakIt: (c) => {
      delete c.variable.region![0]!.description;
    },
  },
  {
    policy: 'backlogAlertCoversEverySubscription',
    what: 'the backlog alert watching the push consumers only, as it once did',
    expect: /warehouse_rows\["decisions"\] \(warehouse-decisions-to-bigquery\) is not watched/,
    breakIt: (c) => {
      const threshold = nested(nested(body(c, 'google_monitoring_alert_policy', 'consumer_backlog'), 'conditions'), 'condition_threshold');
      threshold.filter = String(threshold.filter).replace(/full_match\("[^"]+"\)/, 'full_match("events-.*-push")');
    },
  },
  {
    policy: 'backlogAlertCoversEverySubscription',
    what: 'a pattern so wide it fires on the dead-letter holds',
    expect: /also fires on the dead-letter hold events-browse-dead-letter-hold/,
    breakIt: (c) => {
      const threshold = nested(nested(body(c, 'google_monitoring_alert_policy', 'consumer_backlog'), 'conditions'), 'condition_threshold');
      threshold.filter = String(threshold.filter).replace(/full_match\("[^"]+"\)/, 'full_match("(events|warehouse)-.*")');
    },
  },
  {
    policy: 'backlogAlertCoversEverySubscription',
    what: 'a hard-coded threshold instead of the variable',
    expect: /threshold is not var\.oldest_unacked_alert_seconds/,
    breakIt: (c) => {
      nested(nested(body(c, 'google_monitoring_alert_policy', 'consumer_backlog'), 'conditions'), 'condition_threshold').threshold_value = 600;
    },
  },
  {
    policy: 'profileLagAlertOnLoggedLag',
    what: 'the metric filtering on a log message the consumers do not write',
    expect: /expected one google_logging_metric on the "profile folded" log line, found 0/,
    breakIt: (c) => {
      const metric = body(c, 'google_logging_metric', 'profile_lag');
      metric.filter = String(metric.filter).replace('profile folded', 'profile updated');
    },
  },
  {
    policy: 'profileLagAlertOnLoggedLag',
    what: 'the p95 of per-instance p95s instead of the merged distribution',
    expect: /ALIGN_DELTA, REDUCE_PERCENTILE_95/,
    breakIt: (c) => {
      const threshold = nested(nested(body(c, 'google_monitoring_alert_policy', 'profile_lag'), 'conditions'), 'condition_threshold');
      nested(threshold, 'aggregations').per_series_aligner = 'ALIGN_PERCENTILE_95';
    },
  },
  {
    policy: 'profileLagAlertOnLoggedLag',
    what: 'an alert that notifies nobody',
    expect: /does not notify var\.alert_notification_channels/,
    breakIt: (c) => {
      body(c, 'google_monitoring_alert_policy', 'profile_lag').notification_channels = [];
    },
  },
  {
    policy: 'firestoreCompositeIndexes',
    what: 'no index for similar items by category',
    expect: /no composite index on catalog_items \(category ASCENDING, product_id ASCENDING\)/,
    breakIt: (c) => {
      delete c.resource.google_firestore_index!.catalog_items_category_product;
    },
  },
  {
    policy: 'journeyFanOutTopic',
    what: 'the fan-out topic renamed away from the code',
    expect: /no topic journey-fanout/,
    breakIt: (c) => {
      c.locals.journey_fanout_topic = 'journey-fan-out';
    },
  },
  {
    policy: 'journeyFanOutTopic',
    what: 'fan-out pages pushed to the catalog consumer',
    expect: /pushes to google_cloudfunctions2_function\.consumer\["on_catalog_update"\], not fanOutJourney/,
    breakIt: (c) => {
      const push = nested(body(c, 'google_pubsub_subscription', 'journey_fanout_push'), 'push_config');
      push.push_endpoint = String(push.push_endpoint).replace('fan_out_journey', 'on_catalog_update');
    },
  },
  {
    policy: 'journeyFanOutTopic',
    what: 'fanOutJourney unable to publish the next page',
    expect: /are not exactly the accounts of onCatalogUpdate and fanOutJourney/,
    breakIt: (c) => {
      c.locals.journey_fanout_publishers = ['on_catalog_update'];
    },
  },
  {
    policy: 'functionGrantsAreMinimal',
    what: 'recordInterest allowed to publish fan-out pages',
    expect: /consumer\["record_interest"\]'s grants .* are not exactly/,
    breakIt: (c) => {
      c.locals.journey_fanout_publishers = ['on_catalog_update', 'fan_out_journey', 'record_interest'];
    },
  },
  {
    policy: 'sweepTimersLiveData',
    what: 'the shop API token secret created without a URL',
    expect: /google_secret_manager_secret\.catalog_api_token exists even without a shop API URL/,
    breakIt: (c) => {
      delete body(c, 'google_secret_manager_secret', 'catalog_api_token').count;
    },
  },
  {
    policy: 'sweepTimersLiveData',
    what: 'the token mounted whatever the URL',
    expect: /always mounts NUDGE_CATALOG_API_TOKEN/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config');
      (config.secret_environment_variables as Body[]).push({ key: 'NUDGE_CATALOG_API_TOKEN', project_id: '${var.project_id}', secret: '${var.catalog_api_token_secret_id}', version: 'latest' });
    },
  },
  {
    policy: 'sweepTimersLiveData',
    what: 'the journey window not passed on',
    expect: /does not set NUDGE_JOURNEY_WINDOW from var\.journey_window/,
    breakIt: (c) => {
      c.locals.journey_environment = String(c.locals.journey_environment).replace(/\n\s*NUDGE_JOURNEY_WINDOW[^\n]*/, '');
    },
  },
  {
    policy: 'sweepTimersLiveData',
    what: 'sweepTimers without the live-data settings',
    expect: /sweepTimers does not get local\.live_data_environment/,
    breakIt: (c) => {
      const config = nested(body(c, 'google_cloudfunctions2_function', 'sweep_timers'), 'service_config');
      config.environment_variables = String(config.environment_variables).replace('local.live_data_environment, ', '');
    },
  },
  {
    policy: 'deadLetterAlertCoversEveryHold',
    what: 'the dead-letter alert watching the event topics only, as it once did',
    expect: /\(journey-fanout-dead-letter-hold\) is not watched/,
    breakIt: (c) => {
      const threshold = nested(nested(body(c, 'google_monitoring_alert_policy', 'dead_letters'), 'conditions'), 'condition_threshold');
      threshold.filter = String(threshold.filter).replace(/full_match\("[^"]+"\)/, 'full_match("events-.*-dead-letter-hold")');
    },
  },
  {
    policy: 'requiredApisEnabled',
    what: 'Firestore API left out',
    expect: /firestore\.googleapis\.com is not enabled/,
    breakIt: (c) => {
      c.locals.required_apis = (c.locals.required_apis as string[]).filter((api) => api !== 'firestore.googleapis.com');
    },
  },
];

describe('each policy rejects a configuration that breaks it', () => {
  for (const { policy, what, expect, breakIt } of breakages) {
    test(`${policy}: ${what}`, () => {
      const broken = structuredClone(config);
      breakIt(broken);
      const problems = policies[policy](broken);
      assert.ok(problems.some((p) => expect.test(p)), `expected a violation matching ${expect}, got ${JSON.stringify(problems)}`);
    });
  }

  test('every policy has at least one breakage case', () => {
    const covered = new Set(breakages.map((b) => b.policy));
    assert.deepEqual((Object.keys(policies) as PolicyName[]).filter((name) => !covered.has(name)), []);
  });
});
