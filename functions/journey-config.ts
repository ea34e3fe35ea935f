import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseShopHosts } from './embedded/config.ts';
import { SENDGRID_ACTIVITY_LAG_MS } from './gcp/sendgrid-evidence.ts';
import { DecisionPolicy, defaultDecisionPolicy } from '../pipelines/decisions/policy.ts';
import { buildClickUrl, listUnsubscribeHeaders } from '../pipelines/delivery/signed-links.ts';
import type { ShopSettings } from '../pipelines/journeys/build-email-data.ts';
import { tryParseDuration } from '../pipelines/campaigns/duration.ts';
import { parseLiveDataConfig, type LiveDataConfig } from './live-data/live-data-config.ts';

export type JourneyConfig = {
  templatesDir: string | undefined;
  /** First key signs links; every key verifies them (rotate by prepending a new one). */
  linkKeys: string[];
  /** Public base URL of the unsubscribe endpoint; null = the embedded host's own URL. */
  publicUrl: string | null;
  /**
   * Public base URL of the click and open endpoints (NUDGE_TRACK_URL); null = publicUrl, right
   * wherever one host serves both (embedded). On GCP they are separate functions and terraform sets it.
   */
  trackUrl: string | null;
  /** activityLagMs: how far SendGrid's Email Activity may lag (functions/gcp/sendgrid-evidence.ts). */
  sendgrid: { apiKey: string; apiBase: string | undefined; activityLagMs: number } | null;
  shop: ShopSettings;
  policy: DecisionPolicy;
  /**
   * How long a send claim (and the timer step holding it) may stay unfinished before it counts as
   * in doubt and is resolved from ESP evidence. Default 5 min with the outbox; with SendGrid at
   * least its activity feed's lag (30 min), since "not in the feed" proves nothing before that.
   */
  sendLeaseMs: number;
  /** Live data at send time: the catalog store, or the shop's API over it (docs/live-data.md). */
  liveData: LiveDataConfig;
};

/**
 * Settings of journeys and sending, shared by both runtimes (documented in README "Sending email").
 * `keyDir` keeps a generated link-signing key for the embedded runtime; on GCP NUDGE_LINK_KEYS
 * comes from Secret Manager and is required.
 */
export function parseJourneyConfig(env: Readonly<Record<string, string | undefined>>, keyDir: string | null): JourneyConfig {
  const shopUrl = url(env, 'NUDGE_SHOP_URL', 'https://shop.example');
  const listedKeys = (env.NUDGE_LINK_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  for (const key of listedKeys) if (Buffer.byteLength(key) < 32) throw new ConfigError('NUDGE_LINK_KEYS: every key must be at least 32 characters');
  if (listedKeys.length === 0 && keyDir === null) throw new ConfigError('NUDGE_LINK_KEYS must hold the link-signing key (Secret Manager on GCP)');
  const policy = DecisionPolicy.safeParse({
    ...defaultDecisionPolicy,
    ...(env.NUDGE_FREQUENCY_CAP === undefined ? {} : { frequencyCapPerDay: env.NUDGE_FREQUENCY_CAP === 'off' ? null : Number(env.NUDGE_FREQUENCY_CAP) }),
    ...(env.NUDGE_HOLDOUT_PERCENT === undefined ? {} : { holdoutPercent: Number(env.NUDGE_HOLDOUT_PERCENT) }),
    ...(env.NUDGE_QUIET_HOURS === undefined ? {} : { quietHours: parseQuietHours(env.NUDGE_QUIET_HOURS) }),
    ...(env.NUDGE_DEFAULT_TIMEZONE === undefined ? {} : { defaultTimeZone: env.NUDGE_DEFAULT_TIMEZONE }),
    journeyWindowMs: parseJourneyWindow(env.NUDGE_JOURNEY_WINDOW),
  });
  if (!policy.success) {
    const issue = policy.error.issues[0]!;
    throw new ConfigError(`decision policy: ${issue.path.join('.')}: ${issue.message} (NUDGE_FREQUENCY_CAP, NUDGE_HOLDOUT_PERCENT, NUDGE_QUIET_HOURS, NUDGE_DEFAULT_TIMEZONE)`);
  }
  const activityLagMs = env.NUDGE_SENDGRID_ACTIVITY_LAG_MS === undefined ? SENDGRID_ACTIVITY_LAG_MS : Number(env.NUDGE_SENDGRID_ACTIVITY_LAG_MS);
  if (!Number.isInteger(activityLagMs) || activityLagMs < 0) throw new ConfigError(`NUDGE_SENDGRID_ACTIVITY_LAG_MS must be an integer ≥ 0 (milliseconds), got "${env.NUDGE_SENDGRID_ACTIVITY_LAG_MS}"`);
  const minLeaseMs = env.SENDGRID_API_KEY ? Math.max(1000, activityLagMs) : 1000;
  const sendLeaseMs = env.NUDGE_SEND_LEASE_MS === undefined ? Math.max(5 * 60_000, minLeaseMs) : Number(env.NUDGE_SEND_LEASE_MS);
  if (!Number.isInteger(sendLeaseMs) || sendLeaseMs < 1000) throw new ConfigError(`NUDGE_SEND_LEASE_MS must be an integer ≥ 1000 (milliseconds), got "${env.NUDGE_SEND_LEASE_MS}"`);
  if (sendLeaseMs < minLeaseMs) {
    throw new ConfigError(
      `NUDGE_SEND_LEASE_MS must be at least ${minLeaseMs} with SendGrid, got ${sendLeaseMs}: SendGrid's Email Activity feed lags behind the emails it accepted, and a claim judged "not sent" before the feed shows it would be sent twice (NUDGE_SENDGRID_ACTIVITY_LAG_MS, README "Sending email")`,
    );
  }
  const trackUrl = env.NUDGE_TRACK_URL ? url(env, 'NUDGE_TRACK_URL', '') : null;
  if (trackUrl !== null) {
    try {
      // The unsubscribe rule (https, or http on loopback for the local outbox): mail clients block plain-http images.
      listUnsubscribeHeaders(buildClickUrl(trackUrl, 'probe'));
    } catch {
      throw new ConfigError(`NUDGE_TRACK_URL must be an https URL reachable by mail clients (got ${trackUrl}); plain http is only allowed on localhost`);
    }
  }
  const currency = (env.NUDGE_SHOP_CURRENCY ?? 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new ConfigError(`NUDGE_SHOP_CURRENCY must be an ISO 4217 code like EUR, got "${env.NUDGE_SHOP_CURRENCY}"`);
  return {
    templatesDir: env.NUDGE_TEMPLATES_DIR || undefined,
    linkKeys: listedKeys.length > 0 ? listedKeys : [loadOrCreateLinkKey(keyDir!)],
    publicUrl: env.NUDGE_PUBLIC_URL ? url(env, 'NUDGE_PUBLIC_URL', '') : null,
    trackUrl,
    sendgrid: env.SENDGRID_API_KEY ? { apiKey: env.SENDGRID_API_KEY, apiBase: env.SENDGRID_API_BASE || undefined, activityLagMs } : null,
    shop: {
      name: env.NUDGE_SHOP_NAME || 'Nudge Shop',
      url: shopUrl,
      cart_url: cartUrlTemplate(env, `${shopUrl.replace(/\/$/, '')}/cart?restore={cart_id}`),
      currency,
      postal_address: env.NUDGE_POSTAL_ADDRESS || null,
      hosts: parseShopHosts(env),
    },
    policy: policy.data,
    sendLeaseMs,
    liveData: parseLiveDataConfig(env),
  };
}

/** Default 12h (Klaviyo's "smart sending" is 16h; a shop sends fewer journeys than a marketing platform); "off" = none. */
export const defaultJourneyWindow = '12h';

function parseJourneyWindow(text: string | undefined): number | null {
  const value = (text ?? defaultJourneyWindow).trim();
  if (value === 'off') return null;
  const ms = tryParseDuration(value);
  if (ms === undefined) throw new ConfigError(`NUDGE_JOURNEY_WINDOW must be a duration like "12h" or "off", got "${text}"`);
  return ms;
}

/** "21:00-08:00" → quiet hours; "off" → none. */
function parseQuietHours(text: string): DecisionPolicy['quietHours'] {
  if (text.trim() === 'off') return null;
  const match = /^\s*(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$/.exec(text);
  if (!match) throw new ConfigError(`NUDGE_QUIET_HOURS must look like "21:00-08:00" or be "off", got "${text}"`);
  return { start: match[1]!, end: match[2]! };
}

function url(env: Readonly<Record<string, string | undefined>>, name: string, fallback: string): string {
  const value = env[name] || fallback;
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${value}"`);
  }
}

/**
 * NUDGE_SHOP_CART_URL is a template: `{cart_id}` (or `{{ cart.id }}`) becomes the cart's id, so the
 * email's button restores that cart on another device. Checked as a URL with the placeholder
 * filled in, and kept as written (a URL parser would percent-encode the braces).
 */
function cartUrlTemplate(env: Readonly<Record<string, string | undefined>>, fallback: string): string {
  const value = env.NUDGE_SHOP_CART_URL || fallback;
  try {
    new URL(value.replace(/\{cart_id\}|\{\{\s*cart\.id\s*\}\}/g, 'cart-1'));
  } catch {
    throw new ConfigError(`NUDGE_SHOP_CART_URL must be an absolute URL, optionally with {cart_id}, got "${value}"`);
  }
  if (/[{}]/.test(value.replace(/\{cart_id\}|\{\{\s*cart\.id\s*\}\}/g, ''))) {
    throw new ConfigError(`NUDGE_SHOP_CART_URL: the only placeholder is {cart_id} (or {{ cart.id }}), got "${value}"`);
  }
  return value;
}

/** One signing key per embedded data dir, so links in sent emails keep working across restarts. */
function loadOrCreateLinkKey(dir: string): string {
  const file = join(dir, 'link-signing-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
