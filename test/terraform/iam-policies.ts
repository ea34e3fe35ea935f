import { functions, iamMembers, instancesOf, pushInvokerEmail, referencedAddress, serviceConfig } from './terraform-config.ts';
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
      if (/\.(push_invoker|build)\b/.test(account)) problems.push(`${fn.address} runs as ${account}`);
      const other = seen.get(account);
      if (other) problems.push(`${fn.address} shares ${account} with ${other}`);
      seen.set(account, fn.address);
    }
    return problems;
  },

  /** IAM is additive members only, never owner/editor, never a project-level Pub/Sub role. */
  noBroadRoles(c) {
    const problems: string[] = [];
    const allowedProjectRoles = new Set(['roles/datastore.user', 'roles/cloudbuild.builds.builder']);
    for (const grant of iamMembers(c)) {
      if (!grant.type.endsWith('_iam_member')) problems.push(`${grant.address}: authoritative IAM (${grant.type}) can wipe grants made elsewhere`);
      const role = String(grant.body.role);
      if (role === 'roles/owner' || role === 'roles/editor') problems.push(`${grant.address} grants ${role}`);
      if (grant.type === 'google_project_iam_member' && !allowedProjectRoles.has(role)) problems.push(`${grant.address} grants ${role} on the whole project`);
    }
    return problems;
  },

  /** Only collect is public; the consumers accept only the push-invoker account. */
  onlyCollectIsPublic(c) {
    const problems: string[] = [];
    const grants = iamMembers(c);
    const isPublic = (m: Instance) => m.body.member === 'allUsers' || m.body.member === 'allAuthenticatedUsers';
    for (const grant of grants.filter(isPublic)) {
      const target = referencedAddress(grant.body.service, 'google_cloudfunctions2_function');
      if (grant.type !== 'google_cloud_run_service_iam_member' || target !== 'google_cloudfunctions2_function.collect') problems.push(`${grant.address} makes something other than collect public`);
    }
    if (!grants.some((g) => isPublic(g) && g.body.role === 'roles/run.invoker')) problems.push('collect is not public: SDKs could not post events');
    const invoked = new Set(
      grants
        .filter((g) => g.body.member === 'serviceAccount:' + pushInvokerEmail)
        .map((g) => (g.type === 'google_cloud_run_service_iam_member' && g.body.role === 'roles/run.invoker' ? referencedAddress(g.body.service, 'google_cloudfunctions2_function') : `${g.address} (${String(g.body.role)})`)),
    );
    for (const fn of functions(c).filter((f) => f.name !== 'collect')) {
      if (!invoked.has(fn.address)) problems.push(`push-invoker cannot invoke ${fn.address}`);
      if (serviceConfig(fn)?.ingress_settings === 'ALLOW_ALL') problems.push(`${fn.address} accepts traffic from anywhere`);
      invoked.delete(fn.address);
    }
    for (const extra of invoked) problems.push(`push-invoker has a grant beyond invoking consumers: ${String(extra)}`);
    return problems;
  },

  /** collect may publish events and dead letters and read the write keys; consumers use Firestore and record dead letters. */
  functionGrantsAreMinimal(c) {
    const problems: string[] = [];
    const grantsOf = (account: string) =>
      iamMembers(c)
        .filter((g) => g.body.member === `serviceAccount:\${${account}.email}`)
        .map((g) => `${g.type} ${String(g.body.role)} ${String(g.body.topic ?? g.body.secret_id ?? g.body.project ?? '')}`)
        .sort();
    const collect = grantsOf('google_service_account.collect');
    const expectedCollect = [
      ...instancesOf(c, 'google_pubsub_topic', 'events').map((t) => `google_pubsub_topic_iam_member roles/pubsub.publisher \${${t.address}.name}`),
      'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}',
      'google_secret_manager_secret_iam_member roles/secretmanager.secretAccessor ${google_secret_manager_secret.write_keys.id}',
    ].sort();
    if (JSON.stringify(collect) !== JSON.stringify(expectedCollect)) problems.push(`collect's grants ${JSON.stringify(collect)} are not exactly ${JSON.stringify(expectedCollect)}`);
    for (const account of instancesOf(c, 'google_service_account', 'consumer')) {
      const grants = grantsOf(account.address);
      const expected = ['google_project_iam_member roles/datastore.user ${var.project_id}', 'google_pubsub_topic_iam_member roles/pubsub.publisher ${google_pubsub_topic.invalid.name}'];
      if (JSON.stringify(grants) !== JSON.stringify(expected)) problems.push(`${account.address}'s grants ${JSON.stringify(grants)} are not exactly ${JSON.stringify(expected)}`);
    }
    return problems;
  },
} satisfies Record<string, Policy>;
