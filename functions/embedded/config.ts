import { configuredBigQueryDatasets } from '../bigquery-sql/bigquery-dataset.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config-error.ts';
import { parseInterestRetention } from '../interest-retention-config.ts';
import { parseJourneyConfig, type JourneyConfig } from '../journey-config.ts';
import { parseWebhookConfig, type WebhookConfig } from '../sendgrid-events/webhook-config.ts';
import { parseReconcileAt, type ReconcileAt } from './reconcile/reconcile-schedule.ts';
import { loadOrCreateWebhookDevKey } from './webhook-dev-key.ts';

export { ConfigError } from '../config-error.ts';

export type EmbeddedConfig = {
  port: number;
  host: string;
  dataDir: string;
  writeKeys: string[];
  /**
   * Keys of the shop's backend (NUDGE_SERVER_WRITE_KEYS): they may also send events that speak for
   * the shop (`Catalog Updated`). Without any keys configured, the development key is one too.
   */
  serverWriteKeys: string[];
  /** Set when NUDGE_WRITE_KEYS was unset and a development key was created or reused. */
  devWriteKey: string | null;
  /** Hosts catalog links (url, image_url) may point to (NUDGE_SHOP_DOMAINS; subdomains included). */
  shopHosts: string[];
  /**
   * false = ingest only: events are accepted and stored on the bus but not processed here (a
   * collector-only host; the next start with consumers on works through the backlog).
   */
  consumers: boolean;
  journeys: JourneyConfig;
  /** The SendGrid Event Webhook's verification (SENDGRID_WEBHOOK_PUBLIC_KEY, NUDGE_WEBHOOK_VERIFY). */
  webhook: WebhookConfig;
  /** Dataset names the embedded warehouse answers for besides `nudge` (warehouseDatasetsOf). */
  warehouseDatasets: string[];
  /** When the host reconciles profiles with the history each night (NUDGE_RECONCILE_AT, UTC); absent or null: never. */
  reconcileAt?: ReconcileAt;
  /** How long a product-interest record outlives its latest activity (NUDGE_INTEREST_RETENTION); absent: 90 days. */
  interestRetentionMs?: number;
};

/** Every tunable of the embedded runtime, with its default and why (DESIGN.md §8). */
export const embeddedDefaults = {
  port: 8080,
  /** Loopback by default: the embedded host is for laptops, tests and small shops behind a proxy. */
  host: '127.0.0.1',
  dataDir: './.nudge',
} as const;

/**
 * The data dir (NUDGE_DATA_DIR, else ./.nudge), worked out without side effects: commands that only
 * read use this, not parseEmbeddedConfig, which makes the dir and its development keys — pointed at
 * the wrong dir, a reader would leave a fresh empty state there and report "nothing".
 */
export function dataDirOf(env: Readonly<Record<string, string | undefined>>): string {
  return resolve(env.NUDGE_DATA_DIR || embeddedDefaults.dataDir);
}

/**
 * Dataset names analysts' SQL may qualify tables with on the embedded warehouse, besides `nudge`:
 * the deployed dataset's name, read from the variables `--target gcp` reads it from
 * (NUDGE_BIGQUERY_DATASET, NUDGE_BQ_DATASET), so a query written for the deployment
 * (`FROM analytics_prod.events`) runs unchanged on a laptop. Any other dataset is refused.
 */
export const warehouseDatasetsOf = configuredBigQueryDatasets;

/** Parsed once at start from the environment passed in (never read process.env elsewhere). */
export function parseEmbeddedConfig(env: Readonly<Record<string, string | undefined>>): EmbeddedConfig {
  const port = env.PORT === undefined || env.PORT === '' ? embeddedDefaults.port : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${env.PORT}"`);
  }
  const dataDir = dataDirOf(env);
  const host = env.NUDGE_HOST || embeddedDefaults.host;
  const listed = parseKeyList(env, 'NUDGE_WRITE_KEYS');
  const serverWriteKeys = parseKeyList(env, 'NUDGE_SERVER_WRITE_KEYS');
  const shopHosts = parseShopHosts(env);
  const consumersSetting = (env.NUDGE_CONSUMERS ?? 'on').trim().toLowerCase();
  if (consumersSetting !== 'on' && consumersSetting !== 'off') throw new ConfigError(`NUDGE_CONSUMERS must be "on" or "off", got "${env.NUDGE_CONSUMERS}"`);
  const consumers = consumersSetting === 'on';
  const journeys = parseJourneyConfig(env, dataDir);
  const parsedWebhook = parseWebhookConfig(env);
  const webhook: WebhookConfig = parsedWebhook.verify === 'unconfigured' ? { verify: 'signed', publicKey: loadOrCreateWebhookDevKey(dataDir).publicKey, devKey: true } : parsedWebhook;
  const warehouseDatasets = warehouseDatasetsOf(env);
  const reconcileAt = parseReconcileAt(env);
  const interestRetentionMs = parseInterestRetention(env);
  const common = { port, host, dataDir, consumers, journeys, shopHosts, webhook, warehouseDatasets, reconcileAt, interestRetentionMs };
  if (listed.length > 0) return { ...common, writeKeys: listed, serverWriteKeys, devWriteKey: null };
  const devWriteKey = loadOrCreateDevWriteKey(dataDir);
  // A laptop has no browser/backend divide: the one generated key may also send catalog updates.
  return { ...common, writeKeys: [devWriteKey], serverWriteKeys: serverWriteKeys.length > 0 ? serverWriteKeys : [devWriteKey], devWriteKey };
}

/** A comma-separated key list (trimmed, empties dropped); set but holding no key is an error. */
export function parseKeyList(env: Readonly<Record<string, string | undefined>>, name: string): string[] {
  const value = env[name];
  const keys = (value ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (value !== undefined && value.trim() !== '' && keys.length === 0) throw new ConfigError(`${name} must be a comma-separated list of keys`);
  return keys;
}

const hostName = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * NUDGE_SHOP_DOMAINS (comma-separated host names), by default the host of NUDGE_SHOP_URL: the
 * domains catalog links must stay on, so nobody can point the shop's emails at another site.
 */
export function parseShopHosts(env: Readonly<Record<string, string | undefined>>): string[] {
  const listed = (env.NUDGE_SHOP_DOMAINS ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  if (listed.length === 0) {
    try {
      return [new URL(env.NUDGE_SHOP_URL || 'https://shop.example').hostname.toLowerCase()];
    } catch {
      throw new ConfigError(`NUDGE_SHOP_URL must be an absolute URL, got "${env.NUDGE_SHOP_URL}"`);
    }
  }
  for (const host of listed) {
    if (!hostName.test(host)) throw new ConfigError(`NUDGE_SHOP_DOMAINS must be comma-separated host names like shop.example, got "${host}"`);
  }
  return listed;
}

/** One development key per data dir, created once so curl examples keep working across restarts. */
function loadOrCreateDevWriteKey(dataDir: string): string {
  const file = join(dataDir, 'dev-write-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = `dev_${randomBytes(16).toString('hex')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
