import { block, functions, iamMembers, instancesOf, isRecord, referencedAddress, serviceConfig } from './terraform-config.ts';
import type { Body, Instance, TerraformConfig } from './terraform-config.ts';
import type { Policy } from './iam-policies.ts';
import { JOURNEY_FANOUT_TOPIC } from '../../pipelines/journeys/fan-out-catalog-trigger.ts';

/** `${local.x}` resolved from terraform's locals when it is a plain string (names are literal otherwise). */
function resolveLocals(c: TerraformConfig, value: unknown): string {
  return String(value).replace(/\$\{local\.(\w+)\}/g, (whole, local: string) => (typeof c.locals[local] === 'string' ? (c.locals[local] as string) : whole));
}

/** The function whose build entry point is `entryPoint` (for_each instances included). */
function functionWithEntryPoint(c: TerraformConfig, entryPoint: string): Instance | undefined {
  return functions(c).find((fn) => block(fn.body, 'build_config')?.entry_point === entryPoint);
}

/** The `dynamic "<name>"` blocks of a body, as hcl2json gives them (an object or a list of objects). */
function dynamicBlocks(body: Body | undefined, name: string): Body[] {
  const dynamic: unknown = body?.dynamic;
  const holders = Array.isArray(dynamic) ? dynamic.filter(isRecord) : isRecord(dynamic) ? [dynamic] : [];
  return holders.flatMap((holder) => (Array.isArray(holder[name]) ? (holder[name] as unknown[]).filter(isRecord) : []));
}

/** Issue 9 on GCP: restocks and price drops fan out through their own topic; live data at send time. */
export const catalogJourneyPolicies = {
  /**
   * journey-fanout (the code's JOURNEY_FANOUT_TOPIC) has a dead-letter topic and one push
   * subscription, to the fanOutJourney function, dead-lettering there; exactly the accounts of
   * onCatalogUpdate (first pages) and fanOutJourney (next pages) may publish to it.
   */
  journeyFanOutTopic(c) {
    const topic = instancesOf(c, 'google_pubsub_topic').find((t) => resolveLocals(c, t.body.name) === JOURNEY_FANOUT_TOPIC);
    if (!topic) return [`no topic ${JOURNEY_FANOUT_TOPIC} (pipelines/journeys/fan-out-catalog-trigger.ts): restocks and price drops would reach nobody`];
    const problems: string[] = [];
    const deadLetter = instancesOf(c, 'google_pubsub_topic', 'dead_letter').find((t) => t.body.name === `${JOURNEY_FANOUT_TOPIC}-dead-letter`);
    if (!deadLetter) problems.push(`topic ${JOURNEY_FANOUT_TOPIC} has no dead-letter topic ${JOURNEY_FANOUT_TOPIC}-dead-letter`);
    const pushes = instancesOf(c, 'google_pubsub_subscription').filter((s) => referencedAddress(s.body.topic, 'google_pubsub_topic') === topic.address && block(s.body, 'push_config'));
    const fanOut = functionWithEntryPoint(c, 'fanOutJourney');
    if (!fanOut) problems.push('no function with entry point fanOutJourney');
    if (pushes.length !== 1) problems.push(`${topic.address} has ${pushes.length} push subscriptions, expected one (to fanOutJourney)`);
    for (const push of pushes) {
      const target = referencedAddress(block(push.body, 'push_config')?.push_endpoint, 'google_cloudfunctions2_function');
      if (fanOut && target !== fanOut.address) problems.push(`${push.address} pushes to ${String(target)}, not fanOutJourney (${fanOut.address})`);
      const dlq = referencedAddress(block(push.body, 'dead_letter_policy')?.dead_letter_topic, 'google_pubsub_topic');
      if (deadLetter && dlq !== deadLetter.address) problems.push(`${push.address} dead-letters to ${String(dlq)}, not ${deadLetter.address}`);
    }
    const publishers = iamMembers(c)
      .filter((g) => g.type === 'google_pubsub_topic_iam_member' && g.body.role === 'roles/pubsub.publisher' && referencedAddress(g.body.topic, 'google_pubsub_topic') === topic.address)
      .map((g) => String(g.body.member))
      .sort();
    const expected = ['onCatalogUpdate', 'fanOutJourney']
      .map((entry) => functionWithEntryPoint(c, entry))
      .map((fn) => `serviceAccount:${String(serviceConfig(fn ?? ({ body: {} } as Instance))?.service_account_email)}`)
      .sort();
    if (JSON.stringify(publishers) !== JSON.stringify(expected)) problems.push(`publishers on ${JOURNEY_FANOUT_TOPIC} ${JSON.stringify(publishers)} are not exactly the accounts of onCatalogUpdate and fanOutJourney ${JSON.stringify(expected)}`);
    return problems;
  },

  /**
   * sweepTimers reads the live-data settings (functions/live-data/live-data-config.ts) and the
   * journey window from variables; the shop API token is a secret that exists, is granted and is
   * mounted only with a shop API URL, so `terraform apply` works without one (a mounted secret
   * with no version would stop the function from deploying).
   */
  sweepTimersLiveData(c) {
    const problems: string[] = [];
    const sweep = instancesOf(c, 'google_cloudfunctions2_function', 'sweep_timers')[0];
    if (!sweep) return ['no function google_cloudfunctions2_function.sweep_timers'];
    const config = serviceConfig(sweep);
    if (!String(config?.environment_variables).includes('local.live_data_environment')) problems.push('sweepTimers does not get local.live_data_environment');
    const liveData = String(c.locals.live_data_environment ?? '');
    for (const [name, variable] of [['NUDGE_CATALOG_API_URL', 'catalog_api_url'], ['NUDGE_LIVE_DATA_BUDGET_MS', 'live_data_budget_ms'], ['NUDGE_CATALOG_API_CACHE_TTL', 'catalog_api_cache_ttl']] as const) {
      if (!new RegExp(`\\b${name}\\s*=[^\\n]*\\bvar\\.${variable}\\b`).test(liveData)) problems.push(`local.live_data_environment does not set ${name} from var.${variable}`);
    }
    if (!/\bNUDGE_JOURNEY_WINDOW\s*=\s*var\.journey_window\b/.test(String(c.locals.journey_environment ?? ''))) problems.push('local.journey_environment does not set NUDGE_JOURNEY_WINDOW from var.journey_window');

    const enabled = String(c.locals.catalog_api_token_enabled ?? '');
    if (!/var\.catalog_api_url\s*!=\s*""/.test(enabled)) problems.push(`local.catalog_api_token_enabled (${enabled}) does not depend on var.catalog_api_url being set`);
    const conditional = (type: string, name: string) => {
      const resource = instancesOf(c, type, name)[0];
      if (!resource) problems.push(`no ${type}.${name}`);
      else if (!String(resource.body.count ?? '').includes('local.catalog_api_token_enabled')) problems.push(`${resource.address} exists even without a shop API URL (count must follow local.catalog_api_token_enabled)`);
    };
    conditional('google_secret_manager_secret', 'catalog_api_token');
    conditional('google_secret_manager_secret_version', 'catalog_api_token');
    conditional('google_secret_manager_secret_iam_member', 'sweep_timers_reads_catalog_api_token');
    const mounted = dynamicBlocks(config, 'secret_environment_variables').find((d) => block(d, 'content')?.key === 'NUDGE_CATALOG_API_TOKEN');
    if (!mounted) problems.push('sweepTimers does not mount NUDGE_CATALOG_API_TOKEN through a dynamic block');
    else if (referencedAddress(mounted.for_each, 'google_secret_manager_secret') !== 'google_secret_manager_secret.catalog_api_token') problems.push('sweepTimers mounts NUDGE_CATALOG_API_TOKEN for something other than the (counted) catalog_api_token secret');
    const fixed = (Array.isArray(config?.secret_environment_variables) ? config.secret_environment_variables : []).filter(isRecord).some((entry) => entry.key === 'NUDGE_CATALOG_API_TOKEN');
    if (fixed) problems.push('sweepTimers always mounts NUDGE_CATALOG_API_TOKEN: apply fails without a shop API token');
    return problems;
  },
} satisfies Record<string, Policy>;
