import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataDirOf } from '../config.ts';
import { readLiveHost } from '../host-file.ts';
import { tryParseDuration } from '../../../pipelines/campaigns/duration.ts';

export type SimulateFlags = {
  shoppers: number;
  seed: number;
  paceMs: number;
  /** A duration such as "90s" or "2m", or "0" not to wait for emails at all. */
  waitFor?: string;
  url?: string;
  writeKey?: string;
  /** The key for the setup's Catalog Updated events, which only a server key may send. */
  serverKey?: string;
  /** NUDGE_DATA_DIR, NUDGE_WRITE_KEYS, NUDGE_SERVER_WRITE_KEYS, NUDGE_TEMPLATES_DIR (never process.env directly). */
  env: Readonly<Record<string, string | undefined>>;
};

export type SimulateSettings = {
  url: string;
  writeKey: string;
  /**
   * For the setup's stock updates (Catalog Updated speaks for the shop): --server-key, else the
   * first of NUDGE_SERVER_WRITE_KEYS, else the write key (the development key is also a server key).
   */
  serverKey: string;
  dataDir: string;
  /** From host.json when the host of this data dir is the one being driven. */
  adminToken: string | null;
  waitForMs: number;
  /** The cart-abandonment campaign's first wait as the CLI's templates folder says; null when unreadable. */
  campaignWaitMs: number | null;
  /** Every campaign of that folder (id, trigger kind, first wait); empty when unreadable. */
  campaigns: JourneyCampaign[];
  /** Set when the campaign waits longer than the default --wait-for cap. */
  hint: string | null;
};

/** Without --wait-for, wait for the campaign's wait plus this, so the sweep (each second) has fired… */
export const waitMarginMs = 10_000;
/** …but no longer than this: a demo that hangs for the production 30 min is not a demo. */
export const waitCapMs = 120_000;

export class SimulateUsageError extends Error {
  override name = 'SimulateUsageError';
}

export function resolveSimulateSettings(flags: SimulateFlags): SimulateSettings {
  if (!Number.isInteger(flags.shoppers) || flags.shoppers < 1) throw new SimulateUsageError(`--shoppers must be a whole number ≥ 1, got ${flags.shoppers}`);
  if (!Number.isInteger(flags.seed)) throw new SimulateUsageError(`--seed must be a whole number, got ${flags.seed}`);
  if (!Number.isFinite(flags.paceMs) || flags.paceMs < 0) throw new SimulateUsageError(`--pace must be milliseconds ≥ 0, got ${flags.paceMs}`);
  const dataDir = dataDirOf(flags.env);
  const host = readLiveHost(dataDir);
  const url = (flags.url ?? host?.url)?.replace(/\/+$/, '');
  if (!url) throw new SimulateUsageError(`no running nudge host for data dir ${dataDir} (host.json); start one with \`npm start\`, or pass --url`);
  // The admin token belongs to the host that wrote host.json; a different --url gets no warehouse access.
  const adminToken = host && host.url.replace(/\/+$/, '') === url ? host.adminToken : null;
  const writeKey = flags.writeKey || firstKey(flags.env.NUDGE_WRITE_KEYS) || readDevWriteKey(dataDir);
  if (!writeKey) throw new SimulateUsageError(`no write key: pass --write-key, set NUDGE_WRITE_KEYS, or start the host once so ${join(dataDir, 'dev-write-key')} exists`);

  const serverKey = flags.serverKey || firstKey(flags.env.NUDGE_SERVER_WRITE_KEYS) || writeKey;

  const templatesDir = flags.env.NUDGE_TEMPLATES_DIR || 'templates';
  const campaignWaitMs = readCampaignWait(templatesDir);
  const campaigns = readJourneyCampaigns(templatesDir);
  // The longest first wait decides: the catalog journeys' waits start after the shoppers, with the changes.
  const longestWaitMs = campaigns.reduce<number | null>((longest, campaign) => (campaign.waitMs === null ? longest : Math.max(longest ?? 0, campaign.waitMs)), campaignWaitMs);
  let waitForMs: number;
  let hint: string | null = null;
  if (flags.waitFor !== undefined) {
    const parsed = flags.waitFor.trim() === '0' ? 0 : tryParseDuration(flags.waitFor);
    if (parsed === undefined) throw new SimulateUsageError(`--wait-for must be a duration like "90s" or "2m" (or 0), got "${flags.waitFor}"`);
    waitForMs = parsed;
  } else {
    const wanted = (longestWaitMs ?? waitCapMs) + waitMarginMs;
    waitForMs = Math.min(wanted, waitCapMs);
    if (wanted > waitCapMs) {
      const slow = campaigns.filter((campaign) => campaign.waitMs !== null && campaign.waitMs + waitMarginMs > waitCapMs);
      const named = slow.length > 0 ? slow.map((campaign) => `${campaign.id} waits ${formatDuration(campaign.waitMs!)}`).join(', ') : `the cart-abandonment campaign waits ${campaignWaitMs === null ? '(unknown)' : formatDuration(campaignWaitMs)}`;
      hint =
        `${named} before its email, longer than this demo waits (${formatDuration(waitCapMs)}). ` +
        'For a quick demo start the host with NUDGE_TEMPLATES_DIR pointing at a copy of templates/ whose campaign.yaml files say `wait: 10s` ' +
        '(and run simulate with the same NUDGE_TEMPLATES_DIR), or pass --wait-for with a longer duration.';
    }
  }
  return { url, writeKey, serverKey, dataDir, adminToken, waitForMs, campaignWaitMs, campaigns, hint };
}

function firstKey(list: string | undefined): string | null {
  return (list ?? '').split(',').map((key) => key.trim()).find(Boolean) ?? null;
}

function readDevWriteKey(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, 'dev-write-key'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** The first wait of templates/cart-abandonment/campaign.yaml; null when the file or field is missing or wrong. */
export function readCampaignWait(templatesDir: string): number | null {
  try {
    const definition = parse(readFileSync(join(templatesDir, 'cart-abandonment', 'campaign.yaml'), 'utf8')) as { wait?: unknown };
    return typeof definition.wait === 'string' ? (tryParseDuration(definition.wait) ?? null) : null;
  } catch {
    return null;
  }
}

export type JourneyCampaign = { id: string; trigger: string; waitMs: number | null };

/**
 * The campaigns of a templates folder as the simulator needs them: which campaign id answers which
 * trigger (the summary expects emails per journey) and how long each waits. Read leniently — the
 * host validates definitions; a folder the simulator cannot read is left out.
 */
export function readJourneyCampaigns(templatesDir: string): JourneyCampaign[] {
  let folders: string[];
  try {
    folders = readdirSync(templatesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !/^[_.]/.test(entry.name)).map((entry) => entry.name).sort();
  } catch {
    return [];
  }
  return folders.flatMap((folder): JourneyCampaign[] => {
    try {
      const definition = parse(readFileSync(join(templatesDir, folder, 'campaign.yaml'), 'utf8')) as { id?: unknown; wait?: unknown; trigger?: { kind?: unknown } };
      const trigger = typeof definition.trigger?.kind === 'string' ? definition.trigger.kind : 'cart_abandoned';
      return [{ id: typeof definition.id === 'string' ? definition.id : folder, trigger, waitMs: typeof definition.wait === 'string' ? (tryParseDuration(definition.wait) ?? null) : null }];
    } catch {
      return [];
    }
  });
}

/** 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds === 0) return `${ms}ms`;
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s) parts.push(`${s}s`);
  return parts.join('');
}
