import { profileFoldedMessage } from '../../functions/on-events.ts';
import { block, blocks, instancesOf, type TerraformConfig } from './terraform-config.ts';
import type { Policy } from './iam-policies.ts';

/** The alert policy whose condition reads `metricType`, with that condition. */
function alertOn(c: TerraformConfig, metricType: string) {
  for (const policy of instancesOf(c, 'google_monitoring_alert_policy')) {
    for (const condition of blocks(policy.body, 'conditions')) {
      const threshold = block(condition, 'condition_threshold');
      if (String(threshold?.filter ?? '').includes(`metric.type = "${metricType}`)) return { policy, threshold: threshold! };
    }
  }
  return null;
}

/** `${local.x}` in a subscription name, resolved from terraform's locals (names are otherwise literal after for_each). */
function subscriptionName(c: TerraformConfig, name: unknown): string {
  return String(name).replace(/\$\{local\.(\w+)\}/g, (whole, local: string) => (typeof c.locals[local] === 'string' ? (c.locals[local] as string) : whole));
}

/** Issue 8: alerts when a subscription falls behind or events reach profiles late. */
export const monitoringPolicies = {
  /**
   * The oldest-unacked alert covers every subscription nudge owns except the dead-letter holds
   * (whose messages wait for a person by design), with the threshold from its variable.
   */
  backlogAlertCoversEverySubscription(c) {
    const alert = alertOn(c, 'pubsub.googleapis.com/subscription/oldest_unacked_message_age');
    if (!alert) return ['no alert policy on pubsub.googleapis.com/subscription/oldest_unacked_message_age'];
    const problems: string[] = [];
    const pattern = /monitoring\.regex\.full_match\("([^"]+)"\)/.exec(String(alert.threshold.filter))?.[1];
    if (!pattern) return [`${alert.policy.address} does not select subscriptions with monitoring.regex.full_match`];
    // The pattern is RE2; what it uses here (groups, alternation, .*) means the same in JavaScript.
    const matches = new RegExp(`^(?:${pattern})$`);
    for (const subscription of instancesOf(c, 'google_pubsub_subscription')) {
      const name = subscriptionName(c, subscription.body.name);
      const hold = name.endsWith('-dead-letter-hold');
      if (!hold && !matches.test(name)) problems.push(`${subscription.address} (${name}) is not watched by ${alert.policy.address}`);
      if (hold && matches.test(name)) problems.push(`${alert.policy.address} also fires on the dead-letter hold ${name}, whose messages wait by design`);
    }
    if (alert.threshold.threshold_value !== '${var.oldest_unacked_alert_seconds}') problems.push(`${alert.policy.address} threshold is not var.oldest_unacked_alert_seconds`);
    if (alert.policy.body.notification_channels !== '${var.alert_notification_channels}') problems.push(`${alert.policy.address} does not notify var.alert_notification_channels`);
    return problems;
  },

  /** The dead-letter alert watches every dead-letter hold subscription (a dead letter nobody hears of waits 7 days, then is gone). */
  deadLetterAlertCoversEveryHold(c) {
    const alert = alertOn(c, 'pubsub.googleapis.com/subscription/num_undelivered_messages');
    if (!alert) return ['no alert policy on pubsub.googleapis.com/subscription/num_undelivered_messages'];
    const pattern = /monitoring\.regex\.full_match\("([^"]+)"\)/.exec(String(alert.threshold.filter))?.[1];
    if (!pattern) return [`${alert.policy.address} does not select subscriptions with monitoring.regex.full_match`];
    const matches = new RegExp(`^(?:${pattern})$`);
    return instancesOf(c, 'google_pubsub_subscription')
      .map((subscription) => ({ subscription, name: subscriptionName(c, subscription.body.name) }))
      .filter(({ name }) => name.endsWith('-dead-letter-hold') && !matches.test(name))
      .map(({ subscription, name }) => `${subscription.address} (${name}) is not watched by ${alert.policy.address}`);
  },

  /**
   * The lag alert reads a log-based distribution of the very field the consumers log
   * (ProfileFold.profile_lag_ms under the message profileFoldedMessage), takes p95 per stage, and
   * compares it with its variable.
   */
  profileLagAlertOnLoggedLag(c) {
    const metrics = instancesOf(c, 'google_logging_metric').filter((m) => String(m.body.filter ?? '').includes(`jsonPayload.message = "${profileFoldedMessage}"`));
    if (metrics.length !== 1) return [`expected one google_logging_metric on the "${profileFoldedMessage}" log line, found ${metrics.length}`];
    const metric = metrics[0]!;
    const problems: string[] = [];
    const descriptor = block(metric.body, 'metric_descriptor');
    if (descriptor?.value_type !== 'DISTRIBUTION' || descriptor.metric_kind !== 'DELTA') problems.push(`${metric.address} must be a DELTA DISTRIBUTION`);
    if (metric.body.value_extractor !== 'EXTRACT(jsonPayload.profile_lag_ms)') problems.push(`${metric.address} does not extract jsonPayload.profile_lag_ms`);
    if (!block(metric.body, 'bucket_options')) problems.push(`${metric.address} has no bucket_options (required for a distribution)`);
    const alert = alertOn(c, `logging.googleapis.com/user/\${google_logging_metric.${metric.address.split('.')[1]}.name}`);
    if (!alert) return [...problems, `no alert policy on ${metric.address}`];
    const aggregation = block(alert.threshold, 'aggregations');
    if (aggregation?.per_series_aligner !== 'ALIGN_DELTA' || aggregation.cross_series_reducer !== 'REDUCE_PERCENTILE_95') problems.push(`${alert.policy.address} must take the p95 of the merged distributions (ALIGN_DELTA, REDUCE_PERCENTILE_95)`);
    if (alert.threshold.threshold_value !== '${var.profile_lag_p95_alert_ms}') problems.push(`${alert.policy.address} threshold is not var.profile_lag_p95_alert_ms`);
    if (alert.policy.body.notification_channels !== '${var.alert_notification_channels}') problems.push(`${alert.policy.address} does not notify var.alert_notification_channels`);
    return problems;
  },
} satisfies Record<string, Policy>;
