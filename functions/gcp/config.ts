import { ConfigError, parseKeyList, parseShopHosts } from '../embedded/config.ts';
import { parseInterestRetention } from '../interest-retention-config.ts';

export type GcpConfig = {
  projectId: string;
  firestoreDatabase: string;
  writeKeys: string[];
  /** Keys of the shop's backend, which may also send `Catalog Updated` (Secret Manager, may be empty). */
  serverWriteKeys: string[];
  /** Hosts catalog links may point to (NUDGE_SHOP_DOMAINS, else the host of NUDGE_SHOP_URL). */
  shopHosts: string[];
  /** How long a product-interest record outlives its latest activity: sets expire_at, which the TTL policy deletes by (NUDGE_INTEREST_RETENTION, default 90d). */
  interestRetentionMs: number;
};

/**
 * Settings of the Cloud Functions, parsed once from the environment terraform/functions.tf sets
 * (NUDGE_WRITE_KEYS and NUDGE_SERVER_WRITE_KEYS come from Secret Manager). A missing setting
 * fails the first request loudly.
 */
export function parseGcpConfig(env: Readonly<Record<string, string | undefined>>, needs: { writeKeys: boolean }): GcpConfig {
  const projectId = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT;
  if (!projectId) throw new ConfigError('GOOGLE_CLOUD_PROJECT must name the project (terraform sets it)');
  const writeKeys = (env.NUDGE_WRITE_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (needs.writeKeys && writeKeys.length === 0) {
    throw new ConfigError('NUDGE_WRITE_KEYS is empty: add a version to the write-keys secret (see docs/deploy.md)');
  }
  return {
    projectId,
    firestoreDatabase: env.NUDGE_FIRESTORE_DATABASE || '(default)',
    writeKeys,
    serverWriteKeys: parseKeyList(env, 'NUDGE_SERVER_WRITE_KEYS'),
    shopHosts: parseShopHosts(env),
    interestRetentionMs: parseInterestRetention(env),
  };
}
