import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { allTopicNames } from '../../pipelines/events/topics.ts';
import { block, functions, iamMembers, instancesOf, isRecord, pubsubAgent, pushInvokerEmail, referencedAddress, terraformDir } from './terraform-config.ts';
import type { TerraformConfig } from './terraform-config.ts';
import { iamPolicies } from './iam-policies.ts';
import { journeyPolicies } from './journey-policies.ts';
import { catalogJourneyPolicies } from './catalog-journey-policies.ts';
import { monitoringPolicies } from './monitoring-policies.ts';
import { bigquerySubscriptions, checkTable, subscriptions, topicOf } from './table-checks.ts';
import type { Policy } from './iam-policies.ts';

/**
 * The deployment rules of DESIGN.md §5 and issue 2, as pure checks over the parsed terraform/.
 * Each returns the violations it found (empty = compliant), so tests can also prove a check
 * fails on a broken configuration.
 */
export type { Policy };

const pushSubscriptions = (c: TerraformConfig) => subscriptions(c).filter((s) => block(s.body, 'push_config'));

/** Dead-letter topics referenced by subscriptions' dead-letter policies. */
function deadLetterTargets(c: TerraformConfig): Map<string, string[]> {
  const targets = new Map<string, string[]>();
  for (const s of subscriptions(c)) {
    const topic = referencedAddress(block(s.body, 'dead_letter_policy')?.dead_letter_topic, 'google_pubsub_topic');
    if (topic) targets.set(topic, [...(targets.get(topic) ?? []), s.address]);
  }
  return targets;
}

/** The entry points functions/index.ts registers with functions-framework: `http('name', …)`. */
function registeredEntryPoints(): string[] {
  const source = readFileSync(join(terraformDir, '../functions/index.ts'), 'utf8');
  return [...source.matchAll(/^http\(\s*'([A-Za-z0-9_]+)'/gm)].map((match) => match[1]!);
}

/** Composite indexes the code's Firestore queries need (single-field ones Firestore makes itself). */
const firestoreQueryIndexes: Array<{ collection: string; fields: Array<[string, 'ASCENDING' | 'DESCENDING']>; query: string }> = [
  { collection: 'send_ledger', fields: [['person_id', 'ASCENDING'], ['sent_at', 'ASCENDING']], query: 'the frequency cap (firestore-send-ledger.ts countSentSince)' },
  { collection: 'journey_timers', fields: [['due_at', 'ASCENDING'], ['timer_id', 'ASCENDING']], query: 'the timer sweep (firestore-profile-store.ts findDueTimers)' },
  { collection: 'product_interests', fields: [['product_id', 'ASCENDING'], ['first_come_at', 'ASCENDING'], ['identity', 'ASCENDING']], query: 'first come (firestore-interest-store.ts listInterested)' },
  { collection: 'best_sellers', fields: [['category', 'ASCENDING'], ['rank_key', 'ASCENDING']], query: 'category best-sellers (firestore-interest-store.ts getBestSellers)' },
  { collection: 'catalog_items', fields: [['category', 'ASCENDING'], ['product_id', 'ASCENDING']], query: 'similar items by category (firestore-catalog-store.ts findItems)' },
];

export const policies = {
  ...iamPolicies,
  ...journeyPolicies,
  ...catalogJourneyPolicies,
  ...monitoringPolicies,

  /** Event topics are the ones the code publishes to, each with a dead-letter topic named after it. */
  topicsMatchCode(c) {
    const names = instancesOf(c, 'google_pubsub_topic', 'events').map((t) => t.body.name).sort();
    const problems = JSON.stringify(names) === JSON.stringify([...allTopicNames].sort()) ? [] : [`event topics ${JSON.stringify(names)} differ from pipelines/events/topics.ts ${JSON.stringify(allTopicNames)}`];
    const deadLetters = new Set(instancesOf(c, 'google_pubsub_topic', 'dead_letter').map((t) => t.body.name));
    for (const name of allTopicNames) if (!deadLetters.has(`${name}-dead-letter`)) problems.push(`topic ${name} has no dead-letter topic ${name}-dead-letter`);
    return problems;
  },

  /** Every push subscription retries with backoff and dead-letters after a bounded number of attempts. */
  pushSubscriptionsRetryAndDeadLetter(c) {
    const problems: string[] = [];
    const pushed = new Set(pushSubscriptions(c).map(topicOf));
    for (const topic of instancesOf(c, 'google_pubsub_topic', 'events')) {
      if (!pushed.has(topic.address)) problems.push(`${topic.address} has no push subscription`);
    }
    for (const s of pushSubscriptions(c)) {
      const retry = block(s.body, 'retry_policy');
      const deadLetter = block(s.body, 'dead_letter_policy');
      if (!retry?.minimum_backoff || !retry.maximum_backoff) problems.push(`${s.address} has no retry policy with minimum and maximum backoff`);
      if (!referencedAddress(deadLetter?.dead_letter_topic, 'google_pubsub_topic')) problems.push(`${s.address} has no dead-letter topic`);
      if (deadLetter?.max_delivery_attempts === undefined) problems.push(`${s.address} has no max_delivery_attempts`);
      if (s.body.ack_deadline_seconds !== '${var.consumer_timeout_seconds}') problems.push(`${s.address} ack deadline is not the consumer timeout`);
    }
    return problems;
  },

  /** Push deliveries carry an OIDC token of the push-invoker account, for the endpoint they call. */
  pushUsesOidcInvoker(c) {
    return pushSubscriptions(c).flatMap((s) => {
      const push = block(s.body, 'push_config');
      const oidc = block(push, 'oidc_token');
      if (!oidc) return [`${s.address} pushes without an OIDC token`];
      const problems: string[] = [];
      if (oidc.service_account_email !== pushInvokerEmail) problems.push(`${s.address} signs pushes as ${String(oidc.service_account_email)}, not the push-invoker account`);
      if (oidc.audience !== push?.push_endpoint) problems.push(`${s.address} OIDC audience is not its push endpoint`);
      if (!referencedAddress(push?.push_endpoint, 'google_cloudfunctions2_function')) problems.push(`${s.address} does not push to a function`);
      return problems;
    });
  },

  /** Subscriptions never expire, and every dead-letter topic has a subscription (else dead letters vanish). */
  subscriptionsOutliveIdlePeriods(c) {
    const problems = subscriptions(c)
      .filter((s) => block(s.body, 'expiration_policy')?.ttl !== '')
      .map((s) => `${s.address} expires when idle (set expiration_policy { ttl = "" })`);
    const subscribed = new Set(subscriptions(c).map(topicOf));
    for (const topic of deadLetterTargets(c).keys()) {
      if (!subscribed.has(topic)) problems.push(`dead-letter topic ${topic} has no subscription: dead letters would be dropped`);
    }
    return problems;
  },

  /** The Pub/Sub service agent may publish to every dead-letter topic and ack every dead-lettering subscription. */
  pubsubAgentCanDeadLetter(c) {
    const problems: string[] = [];
    const agent = c.locals.pubsub_agent_member;
    if (typeof agent !== 'string' || !/^serviceAccount:service-\$\{data\.google_project\.[a-z_]+\.number\}@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/.test(agent)) {
      problems.push(`local.pubsub_agent_member is not the Pub/Sub service agent: ${String(agent)}`);
    }
    const agentGrants = iamMembers(c).filter((m) => m.body.member === pubsubAgent);
    const publishes = new Set(agentGrants.filter((m) => m.type === 'google_pubsub_topic_iam_member' && m.body.role === 'roles/pubsub.publisher').map((m) => referencedAddress(m.body.topic, 'google_pubsub_topic')));
    const acks = new Set(agentGrants.filter((m) => m.type === 'google_pubsub_subscription_iam_member' && m.body.role === 'roles/pubsub.subscriber').map((m) => referencedAddress(m.body.subscription, 'google_pubsub_subscription')));
    for (const [topic, from] of deadLetterTargets(c)) {
      if (!publishes.has(topic)) problems.push(`Pub/Sub agent cannot publish to dead-letter topic ${topic}`);
      for (const subscription of from) if (!acks.has(subscription)) problems.push(`Pub/Sub agent cannot ack ${subscription}, so it cannot dead-letter from it`);
    }
    return problems;
  },

  /** BigQuery subscriptions write every event topic to `events` and refused input to `dead_letters`. */
  bigquerySubscriptionsStoreEverything(c) {
    const problems: string[] = [];
    const byTopic = new Map(bigquerySubscriptions(c).map((s) => [topicOf(s), block(s.body, 'bigquery_config')]));
    const expectations = [
      ...instancesOf(c, 'google_pubsub_topic', 'events').map((t) => [t.address, '${local.events_table_ref}'] as const),
      ['google_pubsub_topic.invalid', '${local.dead_letters_table_ref}'] as const,
    ];
    for (const [topic, table] of expectations) {
      const config = byTopic.get(topic);
      if (!config) {
        problems.push(`${topic} has no BigQuery subscription`);
        continue;
      }
      if (config.table !== table) problems.push(`${topic} writes to ${String(config.table)}, expected ${table}`);
      if (config.use_table_schema !== true || config.drop_unknown_fields !== true || config.write_metadata !== false) {
        problems.push(`${topic}'s BigQuery subscription must use the table schema, drop unknown fields and write no metadata`);
      }
    }
    // JSON columns only take JSON text from use_table_schema subscriptions: every one of them must
    // run the transform that stringifies the message's objects.
    for (const subscription of bigquerySubscriptions(c)) {
      const udf = block(block(subscription.body, 'message_transforms') ?? {}, 'javascript_udf');
      if (udf?.function_name !== 'stringifyJsonColumns') problems.push(`${subscription.address} does not stringify JSON columns (message_transforms.javascript_udf)`);
    }
    const editor = iamMembers(c).some((m) => m.type === 'google_bigquery_dataset_iam_member' && m.body.member === pubsubAgent && m.body.role === 'roles/bigquery.dataEditor');
    if (!editor) problems.push('Pub/Sub agent has no roles/bigquery.dataEditor on the dataset');
    return problems;
  },

  /** `events`: partitioned by day on occurred_at, clustered by person, keyed by event_id, able to hold every NudgeEvent field. */
  eventsTableLayout(c) {
    return checkTable(c, { table: 'events', partitionField: 'occurred_at', clustering: ['user_id', 'anonymous_id'], primaryKey: 'event_id', message: NudgeEvent.shape, messageName: 'NudgeEvent' });
  },

  /** `dead_letters`: partitioned by day on received_at, keyed by dead_letter_id, able to hold every DeadLetter field. */
  deadLettersTableLayout(c) {
    return checkTable(c, { table: 'dead_letters', partitionField: 'received_at', clustering: ['stage', 'source_id'], primaryKey: 'dead_letter_id', message: DeadLetter.shape, messageName: 'DeadLetter' });
  },

  /** The reconcile function's tables: laid out as their DDL (partition, clustering, key), schemas from sql/tables/. */
  reconcileTablesLayout(c) {
    return [
      ...checkTable(c, { table: 'reconciliation_diffs', partitionField: 'detected_at', clustering: ['person_id', 'field'], primaryKey: 'diff_id' }),
      ...checkTable(c, { table: 'reconciliation_runs', partitionField: 'started_at', clustering: ['run_id'], primaryKey: 'run_id' }),
      ...checkTable(c, { table: 'reconciliation_history', partitionField: 'as_of', clustering: ['run_id', 'person_id'], primaryKey: ['run_id', 'person_id'] }),
      ...checkTable(c, { table: 'profile_snapshots', partitionField: 'snapshot_date', clustering: ['person_id'], primaryKey: 'snapshot_id' }),
    ];
  },

  /** Firestore Native, with a TTL on applied_events.expire_at. */
  firestoreTtl(c) {
    const problems: string[] = [];
    const databases = instancesOf(c, 'google_firestore_database');
    if (!databases.some((d) => d.body.type === 'FIRESTORE_NATIVE')) problems.push('no Firestore database in FIRESTORE_NATIVE mode');
    const ttl = instancesOf(c, 'google_firestore_field').find((f) => f.body.collection === 'applied_events' && f.body.field === 'expire_at');
    if (!ttl || !Array.isArray(ttl.body.ttl_config)) problems.push('no TTL policy on applied_events.expire_at');
    else if (!referencedAddress(ttl.body.database, 'google_firestore_database')) problems.push('the TTL field is not tied to the managed Firestore database');
    return problems;
  },

  /**
   * Product interests expire: a TTL policy on product_interests.expire_at (the Timestamp
   * firestore-interest-store.ts writes), and every function told the retention it is computed with.
   */
  interestRetention(c) {
    const problems: string[] = [];
    const ttl = instancesOf(c, 'google_firestore_field').find((f) => f.body.collection === 'product_interests' && f.body.field === 'expire_at');
    if (!ttl || !Array.isArray(ttl.body.ttl_config)) problems.push('no TTL policy on product_interests.expire_at: interest records would be kept forever');
    else if (!referencedAddress(ttl.body.database, 'google_firestore_database')) problems.push('the product_interests TTL field is not tied to the managed Firestore database');
    if (!/\bNUDGE_INTEREST_RETENTION\s*=\s*var\.interest_retention\b/.test(String(c.locals.function_environment ?? ''))) {
      problems.push('local.function_environment does not set NUDGE_INTEREST_RETENTION from var.interest_retention');
    }
    return problems;
  },

  /** Every composite index a Firestore query in the code needs is declared (the emulator needs none, so only this catches a missing one). */
  firestoreCompositeIndexes(c) {
    const declared = instancesOf(c, 'google_firestore_index');
    return firestoreQueryIndexes.flatMap(({ collection, fields, query }) => {
      const wanted = fields.map(([path, order]) => `${path} ${order}`).join(', ');
      const index = declared.find((i) => {
        if (i.body.collection !== collection || (i.body.query_scope ?? 'COLLECTION') !== 'COLLECTION') return false;
        // Firestore appends __name__ itself; declaring it is allowed but not needed.
        const given = (Array.isArray(i.body.fields) ? i.body.fields : []).filter(isRecord).filter((f) => f.field_path !== '__name__');
        return given.map((f) => `${String(f.field_path)} ${String(f.order)}`).join(', ') === wanted;
      });
      if (!index) return [`no composite index on ${collection} (${wanted}) for ${query}`];
      return referencedAddress(index.body.database, 'google_firestore_database') ? [] : [`${index.address} is not tied to the managed Firestore database`];
    });
  },

  /** Gen2 functions on nodejs22, built from the uploaded zip, one per entry point functions/index.ts registers. */
  functionsRuntime(c) {
    const problems: string[] = [];
    if (c.resource.google_cloudfunctions_function) problems.push('gen1 google_cloudfunctions_function is not allowed');
    const entryPoints = new Set<unknown>();
    for (const fn of functions(c)) {
      const build = block(fn.body, 'build_config');
      entryPoints.add(build?.entry_point);
      if (build?.runtime !== 'nodejs22') problems.push(`${fn.address} runtime is ${String(build?.runtime)}, not nodejs22`);
      const source = block(block(build, 'source'), 'storage_source');
      if (!referencedAddress(source?.object, 'google_storage_bucket_object')) problems.push(`${fn.address} is not built from the uploaded source zip`);
      if (!referencedAddress(build?.service_account, 'google_service_account')) problems.push(`${fn.address} builds with the project's default build account`);
    }
    // Both ways: every function functions/index.ts registers is deployed, and every deployed entry point exists.
    const registered = registeredEntryPoints();
    if (registered.length === 0) problems.push('no http(...) registration found in functions/index.ts');
    for (const entry of registered) {
      if (!entryPoints.has(entry)) problems.push(`no function with entry point ${entry} (registered in functions/index.ts)`);
    }
    for (const entry of entryPoints) {
      if (!registered.includes(String(entry))) problems.push(`entry point ${String(entry)} is not registered in functions/index.ts`);
    }
    const object = instancesOf(c, 'google_storage_bucket_object').find((o) => o.body.source === '${var.function_source_zip}');
    if (!object || !String(object.body.name).includes('${filemd5(var.function_source_zip)}')) problems.push('the source zip is not uploaded under a name derived from its md5');
    return problems;
  },

  /** Every variable says what it is for and what type it takes. */
  variablesDocumented(c) {
    return Object.entries(c.variable).flatMap(([name, bodies]) => {
      const body = bodies[0] ?? {};
      const problems: string[] = [];
      if (typeof body.description !== 'string' || body.description.trim().length < 10) problems.push(`variable ${name} has no description`);
      if (typeof body.type !== 'string') problems.push(`variable ${name} has no type`);
      return problems;
    });
  },

  /** The APIs the deployment needs are enabled by Terraform itself. */
  requiredApisEnabled(c) {
    const enabled = new Set(instancesOf(c, 'google_project_service').map((s) => s.body.service));
    return ['pubsub', 'cloudfunctions', 'run', 'cloudbuild', 'artifactregistry', 'firestore', 'bigquery', 'secretmanager', 'cloudscheduler', 'iam', 'eventarc', 'storage', 'logging', 'monitoring']
      .map((api) => `${api}.googleapis.com`)
      .filter((api) => !enabled.has(api))
      .map((api) => `API ${api} is not enabled`);
  },
} satisfies Record<string, Policy>;

export type PolicyName = keyof typeof policies;
