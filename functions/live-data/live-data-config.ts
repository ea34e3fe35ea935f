import type { CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import { tryParseDuration } from '../../pipelines/campaigns/duration.ts';
import type { LiveData } from '../../pipelines/content/live-data.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';
import { ConfigError } from '../config-error.ts';
import { createCatalogLiveData } from './catalog-live-data.ts';
import { createShopApiLiveData, shopApiLiveDataDefaults } from './shop-api-live-data.ts';

export type LiveDataConfig = {
  /** null = no shop API: live data comes from the catalog store alone. */
  shopApi: {
    /** Without a trailing slash; `/products` is appended. */
    url: string;
    token: string | null;
    /** 0 = always ask; the cache then only stands in when the shop API fails. */
    cacheTtlMs: number;
  } | null;
  /** Time one send may spend reading live data (its deadline is now + this). */
  budgetMs: number;
};

export const defaultLiveDataBudgetMs = 800;
const maxBudgetMs = 30_000;

/**
 * Live data settings, shared by both runtimes (docs/live-data.md, "Settings"). The token comes from
 * the environment, or Secret Manager on GCP; it is trimmed, since secrets are often stored with a
 * trailing newline, and never repeated in an error message.
 */
export function parseLiveDataConfig(env: Readonly<Record<string, string | undefined>>): LiveDataConfig {
  const budgetMs = parseBudget(env.NUDGE_LIVE_DATA_BUDGET_MS);
  const rawUrl = env.NUDGE_CATALOG_API_URL?.trim();
  if (!rawUrl) return { shopApi: null, budgetMs };
  return {
    shopApi: { url: parseApiUrl(rawUrl), token: parseToken(env.NUDGE_CATALOG_API_TOKEN), cacheTtlMs: parseCacheTtl(env.NUDGE_CATALOG_API_CACHE_TTL) },
    budgetMs,
  };
}

export type CreateLiveDataDeps = {
  catalog: Pick<CatalogStore, 'getItems'>;
  clock: Clock;
  fetch?: typeof fetch;
  log?: (entry: Record<string, unknown>) => void;
};

/** The shop API in front of the catalog when NUDGE_CATALOG_API_URL is set; the catalog alone otherwise. */
export function createLiveData(config: LiveDataConfig, deps: CreateLiveDataDeps): LiveData {
  const catalog = createCatalogLiveData({ catalog: deps.catalog, clock: deps.clock });
  if (config.shopApi === null) return catalog;
  return createShopApiLiveData({
    baseUrl: config.shopApi.url,
    token: config.shopApi.token,
    fallback: catalog,
    clock: deps.clock,
    settings: { cacheTtlMs: config.shopApi.cacheTtlMs },
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
}

const loopbackHosts = new Set(['localhost', '[::1]']);

function parseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`NUDGE_CATALOG_API_URL must be an absolute URL like https://shop.example/api/nudge, got "${text}"`);
  }
  const loopback = loopbackHosts.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  // Product data and the bearer token cross the network: plain http only where it never leaves the machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`NUDGE_CATALOG_API_URL must use https (plain http only on localhost), got "${url.protocol}//${url.host}"`);
  }
  if (url.username || url.password) throw new ConfigError('NUDGE_CATALOG_API_URL must not carry credentials; put the token in NUDGE_CATALOG_API_TOKEN');
  // nudge appends /products?ids=…; a query or fragment here would be silently mangled.
  if (url.search || url.hash) throw new ConfigError(`NUDGE_CATALOG_API_URL must not have a query or fragment (nudge appends /products?ids=…), got "${text}"`);
  return url.toString().replace(/\/+$/, '');
}

function parseToken(text: string | undefined): string | null {
  const token = text?.trim();
  if (!token) return null;
  // Header-safe visible ASCII; the value itself is a secret and stays out of the message.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError('NUDGE_CATALOG_API_TOKEN must be printable ASCII without spaces (it is sent as "Authorization: Bearer <token>")');
  return token;
}

function parseBudget(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return defaultLiveDataBudgetMs;
  const ms = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || ms < 100 || ms > maxBudgetMs) {
    throw new ConfigError(`NUDGE_LIVE_DATA_BUDGET_MS must be an integer between 100 and ${maxBudgetMs} (milliseconds), got "${text}"`);
  }
  return ms;
}

function parseCacheTtl(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return shopApiLiveDataDefaults.cacheTtlMs;
  if (text.trim() === 'off') return 0;
  const ms = tryParseDuration(text);
  // Beyond the staleness limit an entry would be dropped while still "fresh".
  if (ms === undefined || ms > shopApiLiveDataDefaults.maxStaleMs) {
    throw new ConfigError(`NUDGE_CATALOG_API_CACHE_TTL must be a duration like "60s", "5m" or "1h" (at most 24h), or "off"; got "${text}"`);
  }
  return ms;
}
