import { block, blocks, instancesOf, referencedAddress, serviceConfig } from './terraform-config.ts';
import { bigquerySubscriptions, checkTable, topicOf } from './table-checks.ts';
import type { Policy } from './iam-policies.ts';
import { warehouseRowTables, warehouseTopicName } from '../../functions/gcp/pubsub-warehouse-rows.ts';
import { Decision } from '../../pipelines/decisions/decision.ts';

/** Where the journeys' warehouse rows go on GCP (issue 3): topics, subscriptions, tables. */
export const journeyPolicies = {
  /**
   * Journeys write decisions and email_sends with insertRows (functions/gcp/pubsub-warehouse-rows.ts):
   * one warehouse-<table> topic per table, each with a BigQuery subscription into that table that
   * uses its schema, runs the JSON-column transform and dead-letters what BigQuery refuses.
   */
  warehouseTopicsStoreRows(c) {
    const problems: string[] = [];
    const topics = instancesOf(c, 'google_pubsub_topic').filter((t) => String(t.body.name).startsWith('warehouse-'));
    const names = topics.map((t) => String(t.body.name)).sort();
    const expected = warehouseRowTables.map(warehouseTopicName).sort();
    if (JSON.stringify(names) !== JSON.stringify(expected)) problems.push(`warehouse topics ${JSON.stringify(names)} differ from pubsub-warehouse-rows.ts ${JSON.stringify(expected)}`);
    const tables = instancesOf(c, 'google_bigquery_table');
    for (const topic of topics) {
      const table = String(topic.body.name).slice('warehouse-'.length);
      const subscription = bigquerySubscriptions(c).find((s) => topicOf(s) === topic.address);
      const config = subscription && block(subscription.body, 'bigquery_config');
      if (!subscription || !config) {
        problems.push(`${topic.address} has no BigQuery subscription: its ${table} rows would be lost`);
        continue;
      }
      const target = tables.find((t) => t.address === referencedAddress(config.table, 'google_bigquery_table'));
      if (target?.body.table_id !== table) problems.push(`${subscription.address} writes to ${String(config.table)}, not the table ${table}`);
      if (config.use_table_schema !== true || config.drop_unknown_fields !== true || config.write_metadata !== false) {
        problems.push(`${subscription.address} must use the table schema, drop unknown fields and write no metadata`);
      }
      if (block(block(subscription.body, 'message_transforms'), 'javascript_udf')?.function_name !== 'stringifyJsonColumns') problems.push(`${subscription.address} does not stringify JSON columns`);
      const deadLetter = block(subscription.body, 'dead_letter_policy');
      if (!referencedAddress(deadLetter?.dead_letter_topic, 'google_pubsub_topic') || deadLetter?.max_delivery_attempts === undefined) problems.push(`${subscription.address} has no dead-letter policy`);
    }
    return problems;
  },

  /** `decisions` and `email_sends`: laid out as their DDL (partition, clustering, key); decisions able to hold every Decision field. */
  journeyTablesLayout(c) {
    return [
      ...checkTable(c, { table: 'decisions', partitionField: 'decided_at', clustering: ['person_id', 'campaign_id'], primaryKey: 'decision_id', message: Decision.shape, messageName: 'Decision' }),
      ...checkTable(c, { table: 'email_sends', partitionField: 'sent_at', clustering: ['person_id', 'campaign_id'], primaryKey: 'send_id' }),
    ];
  },

  /**
   * sweepTimers writes two kinds of links into every email: unsubscribe (NUDGE_PUBLIC_URL, the
   * unsubscribe function) and first-party click/open (NUDGE_TRACK_URL, the track function). Each
   * must be the URL of the function that serves it, and track must verify with the same keys.
   */
  sweepTimersLinksPointAtTheirFunctions(c) {
    const problems: string[] = [];
    const sweep = instancesOf(c, 'google_cloudfunctions2_function', 'sweep_timers')[0];
    if (!sweep) return ['no function google_cloudfunctions2_function.sweep_timers'];
    const environment = String(serviceConfig(sweep)?.environment_variables ?? '');
    for (const [name, fn] of [['NUDGE_PUBLIC_URL', 'unsubscribe'], ['NUDGE_TRACK_URL', 'track']] as const) {
      const assigned = new RegExp(`\\b${name}\\s*=\\s*google_cloudfunctions2_function\\.(\\w+)\\.service_config\\[0\\]\\.uri`).exec(environment);
      if (!assigned) problems.push(`sweepTimers has no ${name} set to a function's URL`);
      else if (assigned[1] !== fn) problems.push(`sweepTimers' ${name} is the URL of ${assigned[1]}, not of ${fn}`);
    }
    const track = instancesOf(c, 'google_cloudfunctions2_function', 'track')[0];
    const keys = track && blocks(serviceConfig(track), 'secret_environment_variables').find((entry) => entry.key === 'NUDGE_LINK_KEYS');
    if (!keys || referencedAddress(keys.secret, 'google_secret_manager_secret') !== 'google_secret_manager_secret.link_keys') problems.push('track does not read NUDGE_LINK_KEYS from google_secret_manager_secret.link_keys: it could not verify the links');
    return problems;
  },
} satisfies Record<string, Policy>;
