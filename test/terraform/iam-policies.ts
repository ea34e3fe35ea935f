import { block, blocks, functions, iamMembers, instancesOf, pushInvokerEmail, referencedAddress, serviceConfig } from './terraform-config.ts';
import type { Instance, TerraformConfig } from './terraform-config.ts';

/** A deployment rule: the violations found in the parsed terraform/ (empty = compliant). */
export type Policy = (config: TerraformConfig) => string[];

/** Who runs as whom and who may call what (DESIGN.md §5: one account per function, least privilege). */
export const iamPolicies = {
  /** Each function runs as its own service account, none of them the push-invoker or build account. */
  functionsHaveOwnServiceAccounts(c) {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const accounts = new Set(instancesOf(c, 'google_service_account').map((a) => a.address));
    for (const fn of functions(c)) {
      const account = referencedAddress(serviceConfig(fn)?.service_account_email, 'google_service_account');
      if (!account) {
        problems.push(`${fn.address} runs as the default compute account`);
        continue;
      }
      if (!accounts.has(account)) problems.push(`${fn.address} runs as ${account}, which is not declared`);
      if (/\.(push_invoker|scheduler_invoker|build)\b/.test(account)) problems.push(`${fn.address} runs as ${account}`);
      const other = seen.get(account);
      if (other) problems.push(`${fn.address} shares ${account} with ${other}`);
      seen.set(account, fn.address);
    }
    return problems;
  },

  /** IAM is additive members only, never owner/editor, never a project-level Pub/Sub role. */
  noBroadRoles(c) {
    const problems: string[] = [];
    // bigquery.jobUser exists only at project level (jobs are created in a project); it runs jobs and
    // reads no data. functionGrantsAreMinimal pins it to the one account that queries (reconcile).
    const allowedProjectRoles = new Set(['roles/datastore.user', 'roles/cloudbuild.builds.builder', 'roles/bigquery.jobUser']);
    for (const grant of iamMembers(c)) {
      if (!grant.type.endsWith('_iam_member')) problems.push(`${grant.address}: authoritative IAM (${grant.type}) can wipe grants made elsewhere`);
      const role = String(grant.body.role);
      if (role === 'roles/owner' || role === 'roles/editor') problems.push(`${grant.address} grants ${role}`);
      if (grant.type === 'google_project_iam_member' && !allowedProjectRoles.has(role)) problems.push(`${grant.address} grants ${role} on the whole project`);
    }
    return problems;
  },

  /**
   * Only collect (SDKs post events), unsubscribe (mail clients' one-click POST), track (the open
   * pixel and click redirect every email links to), sendgridEvents (SendGrid's webhook) and offers
   * (the shop's checkout checks a code) are public, each checking its own credential (write key,
   * signed token, SendGrid's signature, server write key). The consumers accept only the
   * push-invoker account; every other function admits no traffic from anywhere.
   */
  onlyOutsideFacingFunctionsArePublic(c) {
    const problems: string[] = [];
    const grants = iamMembers(c);
    const whyPublic: Record<string, string> = {
      'google_cloudfunctions2_function.collect': 'SDKs could not post events',
      'google_cloudfunctions2_function.unsubscribe': 'mail clients could not unsubscribe',
      'google_cloudfunctions2_function.track': "people's clicks would not reach the shop",
      // SendGrid posts without Google credentials; the function checks SendGrid's ECDSA signature.
      'google_cloudfunctions2_function.sendgrid_events': 'SendGrid could not post its events',
      // The shop's backend calls without Google credentials; the function answers server write keys only.
      'google_cloudfunctions2_function.offers': "the shop's checkout could not check offer codes",
    };
    const deliberatelyPublic = Object.keys(whyPublic);
    const isPublic = (m: Instance) => m.body.member === 'allUsers' || m.body.member === 'allAuthenticatedUsers';
    for (const grant of grants.filter(isPublic)) {
      const target = referencedAddress(grant.body.service, 'google_cloudfunctions2_function');
      if (grant.type !== 'google_cloud_run_service_iam_member' || !deliberatelyPublic.includes(target ?? '')) problems.push(`${grant.address} makes something other than collect, unsubscribe, track, sendgrid_events or offers public`);
    }
    for (const fn of deliberatelyPublic) {
      const open = grants.some((g) => isPublic(g) && g.body.role === 'roles/run.invoker' && referencedAddress(g.body.service, 'google_cloudfunctions2_function') === fn);
      if (!open) problems.push(`${fn} is not public: ${whyPublic[fn]}`);
    }
    const invoked = new Set(
      grants
        .filter((g) => g.body.member === 'serviceAccount:' + pushInvokerEmail)
        .map((g) => (g.type === 'google_cloud_run_service_iam_member' && g.body.role === 'roles/run.invoker' ? referencedAddress(g.body.service, 'google_cloudfunctions2_function') : `${g.address} (${String(g.body.role)})`)),
    );
    for (const fn of functions(c).filter((f) => !deliberatelyPublic.includes(f.address))) {
      if (serviceConfig(fn)?.ingress_settings === 'ALLOW_ALL') problems.push(`${fn.address} accepts traffic from anywhere`);
      if (fn.name !== 'consumer') continue;
      if (!invoked.has(fn.address)) problems.push(`push-invoker cannot invoke ${fn.address}`);
      invoked.delete(fn.address);
    }
    for (const extra of invoked) problems.push(`push-invoker has a grant beyond invoking consumers: ${String(extra)}`);
    return problems;
  },

  /**
   * Cloud Scheduler calls sweepTimers each minute and reconcile each night, with an OIDC token of
   * its own account; that account can do nothing but invoke those two, which nobody else may invoke.
   */
  schedulerInvokesOnlySweepTimers(c) {
    const problems: string[] = [];
    const invokerMember = 'serviceAccount:${google_service_account.scheduler_invoker.email}';
    const jobs = instancesOf(c, 'google_cloud_scheduler_job');
    const scheduled = [
      { fn: 'google_cloudfunctions2_function.sweep_timers', name: 'sweepTimers', missing: 'timers would never fire', schedule: (s: string) => (s === '* * * * *' ? null : 'not each minute') },
      { fn: 'google_cloudfunctions2_function.reconcile', name: 'reconcile', missing: 'profiles would never be reconciled', schedule: (s: string) => (s === '${var.reconcile_schedule}' ? null : 'not var.reconcile_schedule') },
    ];
    for (const { fn, name, missing, schedule } of scheduled) {
      const calling = jobs.filter((job) => referencedAddress(block(job.body, 'http_target')?.uri, 'google_cloudfunctions2_function') === fn);
      if (calling.length === 0) problems.push(`no Cloud Scheduler job calls ${name}: ${missing}`);
      for (const job of calling) {
        const wrong = schedule(String(job.body.schedule));
        if (wrong) problems.push(`${job.address} runs on "${String(job.body.schedule)}", ${wrong}`);
      }
    }
    for (const job of jobs) {
      const target = block(job.body, 'http_target');
      const oidc = block(target, 'oidc_token');
      if (!oidc) {
        problems.push(`${job.address} calls without an OIDC token`);
        continue;
      }
      if (`serviceAccount:${String(oidc.service_account_email)}` !== invokerMember) problems.push(`${job.address} signs its calls as ${String(oidc.service_account_email)}, not the scheduler-invoker account`);
      if (oidc.audience !== target?.uri) problems.push(`${job.address} OIDC audience is not its target URL`);
    }
    const grants = iamMembers(c);
    const invokes = (g: Instance, fn: string) => g.type === 'google_cloud_run_service_iam_member' && g.body.role === 'roles/run.invoker' && referencedAddress(g.body.service, 'google_cloudfunctions2_function') === fn;
    const invokerGrants = grants.filter((g) => g.body.member === invokerMember);
    for (const { fn, name } of scheduled) {
      if (!invokerGrants.some((g) => invokes(g, fn))) problems.push(`the scheduler-invoker account cannot invoke ${name}`);
      for (const g of grants.filter((g) => referencedAddress(g.body.service, 'google_cloudfunctions2_function') === fn && g.body.member !== invokerMember)) {
        problems.push(`${String(g.body.member)} may call ${name} (${g.address}); only the scheduler-invoker account may`);
      }
    }
    for (const g of invokerGrants.filter((g) => !scheduled.some(({ fn }) => invokes(g, fn)))) {
      problems.push(`the scheduler-invoker account has a grant beyond invoking sweepTimers and reconcile: ${g.address} (${String(g.body.role)})`);
    }
    return problems;
  },

  /**
   * collect reads both key lists from Secret Manager: NUDGE_WRITE_KEYS (browser keys) and
   * NUDGE_SERVER_WRITE_KEYS (the shop backend's keys, the only ones that may send Catalog Updated).
   */
  collectReadsBothKeyLists(c) {
    return mountsSecrets(c, 'collect', { NUDGE_WRITE_KEYS: 'write_keys', NUDGE_SERVER_WRITE_KEYS: 'server_write_keys' });
  },

  /**
   * offers verifies codes with the link keys (NUDGE_LINK_KEYS, the keys sweepTimers signs them with)
   * and answers only the shop backend's keys (NUDGE_SERVER_WRITE_KEYS; it refuses to start without
   * one). The browser keys are not mounted: they could never pass the check, so they stay out.
   */
  offersReadsItsKeys(c) {
    const problems = mountsSecrets(c, 'offers', { NUDGE_LINK_KEYS: 'link_keys', NUDGE_SERVER_WRITE_KEYS: 'server_write_keys' });
    const offers = instancesOf(c, 'google_cloudfunctions2_function', 'offers')[0];
    const extra = blocks(offers && serviceConfig(offers), 'secret_environment_variables')
      .map((entry) => String(entry.key))
      .filter((key) => key !== 'NUDGE_LINK_KEYS' && key !== 'NUDGE_SERVER_WRITE_KEYS');
    if (extra.length > 0) problems.push(`offers also mounts ${extra.join(', ')}: it needs only the link keys and the server write keys`);
    return problems;
  },

  /**
   * collect may publish events and dead letters and read the write keys; consumers use Firestore
   * and record dead letters; sweepTimers, sendgridEvents, unsubscribe, reconcile, track and offers each
   * run as their own account holding exactly what their code does. A function whose account is in
   * none of these lists is a violation too, so a new function cannot arrive with unchecked grants.
   */
  functionGrantsAreMinimal(c) {
    const problems: string[] = [];
    const grantsOf = (account: string) =>
      iamMembers(c)
        .filter((g) => g.body.member === `serviceAccount:\${${account}.email}`)
        .map((g) => `${g.type} ${String(g.body.role)} ${String(g.body.topic ?? g.body.secret_id ?? g.body.table_id ?? g.body.dataset_id ?? g.body.project ?? '')}`)
        .sort();
    const collect = grantsOf('google_service_account.collect');
    const expectedCollect = [
      ...instancesOf(c, 'google_pubsub_topic', 'events').map((t) => `google_pubsub_topic_iam_member roles/pubsub.publisher \${${t.address}.name}`),
      'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}',
      'google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor ${google_secret_manager_secret.write_keys.id}',
      'google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor ${google_secret_manager_secret.server_write_keys.id}',
    ].sort();
    if (JSON.stringify(collect) !== JSON.stringify(expectedCollect)) problems.push(`collect's grants ${JSON.stringify(collect)} are not exactly ${JSON.stringify(expectedCollect)}`);
    for (const account of instancesOf(c, 'google_service_account', 'consumer')) {
      const grants = grantsOf(account.address);
      const folds = /\["on_(priority|browse)_event"\]$/.test(account.address);
      const fansOut = /\["(on_catalog_update|fan_out_journey)"\]$/.test(account.address);
      const expected = [
        'google_project_iam_member roles/datastore.user ${var.project_id}',
        'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}',
        // The profile consumers write who is who; the catalog consumer folds no one.
        ...(folds ? ['google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.warehouse_rows["person_identities"].name}'] : []),
        // Restock and price-drop pages: the catalog consumer publishes the first, the fan-out the next ones.
        ...(fansOut ? ['google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.journey_fanout.name}'] : []),
      ].sort();
      if (JSON.stringify(grants) !== JSON.stringify(expected)) problems.push(`${account.address}'s grants ${JSON.stringify(grants)} are not exactly ${JSON.stringify(expected)}`);
    }
    const firestoreUser = 'google_project_iam_member roles/datastore.user ${var.project_id}';
    const readsSecret = (secret: string) => `google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor \${google_secret_manager_secret.${secret}.id}`;
    const publishesTo = (topics: Instance[]) => topics.map((t) => `google_pubsub_topic_iam_member roles/pubsub.publisher \${${t.address}.name}`);
    const ownAccounts: Array<{ name: string; expected: string[] }> = [
      // Timers and the send ledger (Firestore), decisions/email_sends rows (warehouse-* topics only), SendGrid and link
      // keys, and the shop API's token (a counted grant: it exists only with catalog_api_url, see journey-policies.ts).
      {
        name: 'sweep_timers',
        expected: [
          firestoreUser,
          ...publishesTo(instancesOf(c, 'google_pubsub_topic', 'warehouse_rows').filter((t) => /\["(decisions|email_sends)"\]$/.test(t.address))),
          readsSecret('sendgrid_api_key'),
          readsSecret('link_keys'),
          readsSecret('catalog_api_token[0]'),
        ],
      },
      // The ledger read and suppressions folded (Firestore), suppressions published as events, bad events as dead
      // letters, rows to warehouse-email_events only, the webhook's verification key.
      {
        name: 'sendgrid_events',
        expected: [
          firestoreUser,
          ...publishesTo(instancesOf(c, 'google_pubsub_topic', 'events')),
          'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}',
          'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.warehouse_rows["email_events"].name}',
          readsSecret('sendgrid_webhook_public_key'),
        ],
      },
      // The consent change: folded (Firestore), published as an event (or a dead letter), links verified.
      {
        name: 'unsubscribe',
        expected: [
          firestoreUser,
          ...publishesTo(instancesOf(c, 'google_pubsub_topic', 'events')),
          'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}',
          'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.warehouse_rows["email_events"].name}',
          readsSecret('link_keys'),
        ],
      },
      // Profiles fixed (Firestore), BigQuery jobs run, the history read (the dataset), its own four tables written.
      {
        name: 'reconcile',
        expected: [
          firestoreUser,
          'google_project_iam_member roles/bigquery.jobUser ${var.project_id}',
          'google_bigquery_dataset_iam_member roles/bigquery.dataViewer ${google_bigquery_dataset.main.dataset_id}',
          ...['profile_snapshots', 'reconciliation_diffs', 'reconciliation_history', 'reconciliation_runs'].map((table) => `google_bigquery_table_iam_member roles/bigquery.dataEditor \${google_bigquery_table.reconcile["${table}"].table_id}`),
        ],
      },
      // Opens and clicks: links verified, one email_events row published. No Firestore, no SendGrid key.
      {
        name: 'track',
        expected: [...publishesTo(instancesOf(c, 'google_pubsub_topic', 'warehouse_rows').filter((t) => t.address.endsWith('["email_events"]'))), readsSecret('link_keys')],
      },
      // Offer codes: verified with the link keys, callers checked against the server write keys. Nothing
      // else: no Firestore, no topic, not the browser write keys.
      { name: 'offers', expected: [readsSecret('link_keys'), readsSecret('server_write_keys')] },
    ];
    for (const { name, expected } of ownAccounts) {
      const fn = instancesOf(c, 'google_cloudfunctions2_function', name)[0];
      const account = `google_service_account.${name}`;
      if (!fn) {
        problems.push(`no function google_cloudfunctions2_function.${name}`);
        continue;
      }
      const runsAs = referencedAddress(serviceConfig(fn)?.service_account_email, 'google_service_account');
      if (runsAs !== account) problems.push(`${fn.address} runs as ${String(runsAs)}, not ${account}`);
      const grants = grantsOf(account);
      if (JSON.stringify(grants) !== JSON.stringify([...expected].sort())) problems.push(`${account}'s grants ${JSON.stringify(grants)} are not exactly ${JSON.stringify([...expected].sort())}`);
    }
    // A function added without an entry above would hold whatever it is granted, unchecked.
    const checked = new Set(['google_service_account.collect', ...instancesOf(c, 'google_service_account', 'consumer').map((a) => a.address), ...ownAccounts.map(({ name }) => `google_service_account.${name}`)]);
    for (const fn of functions(c)) {
      const account = referencedAddress(serviceConfig(fn)?.service_account_email, 'google_service_account');
      if (account && !checked.has(account)) problems.push(`${fn.address} runs as ${account}, whose grants no expectation here covers`);
    }
    return problems;
  },
} satisfies Record<string, Policy>;

/** Each environment variable of `keys` is mounted on the function from the named secret. */
function mountsSecrets(c: TerraformConfig, name: string, keys: Record<string, string>): string[] {
  const fn = instancesOf(c, 'google_cloudfunctions2_function', name)[0];
  if (!fn) return [`no function google_cloudfunctions2_function.${name}`];
  const secrets = blocks(serviceConfig(fn), 'secret_environment_variables');
  return Object.entries(keys).flatMap(([key, secret]) => {
    const mounted = secrets.find((entry) => entry.key === key);
    if (!mounted) return [`${name} has no ${key} from Secret Manager`];
    const from = referencedAddress(mounted.secret, 'google_secret_manager_secret');
    return from === `google_secret_manager_secret.${secret}` ? [] : [`${name}'s ${key} comes from ${String(mounted.secret)}, not google_secret_manager_secret.${secret}`];
  });
}
