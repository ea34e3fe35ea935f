import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { CoView } from '../product-interest/product-interest.ts';

/**
 * Which products an email shows beside the one it is about. Pure: the caller
 * (gather-recommendations.ts) reads the catalog and the co-view counts; this decides.
 *
 * An item may be shown only when the email can show it and the person could want it:
 * - not a seed (the email is already about it) and not in `exclude` (bought, in the cart);
 * - not out of stock (stock 0). Unknown stock (null) is allowed: many shops never send stock
 *   for items they do not track, and refusing them would empty the block for those shops; the
 *   send-time live data check (issue 9, item 6) still stops an item that turns out to be sold out
 *   from being shown as buyable;
 * - with a name and a url (non-blank): an email cannot show a nameless item nor link to nowhere.
 *   The url's domain is checked at send time (catalog/check-catalog-links.ts isShopLink);
 * - at most once, even when it qualifies several ways: it is shown under its best reason.
 *
 * The order, tier by tier, each tier full before the next starts:
 * 1. viewed_together — other shoppers viewed it with a seed: the strongest signal, because it is
 *    what people actually did. Ranked by co-view count summed over the seeds (a product viewed
 *    with two of the seeds beats one viewed with one).
 * 2. similar — a score against each seed, the best one kept (similar to one thing looked at is
 *    enough): same category +4, each shared tag +1 (at most 3 count; tags compared trimmed and
 *    case-blind, since shops label by hand), same brand +2, price within ±40% of the seed's in the
 *    same currency (or both unset: a one-currency shop) +2. Category dominates because it says
 *    what kind of thing it is (a jacket for a jacket); brand and price band then tell alike from
 *    merely related; tags refine. A score of 0 is not similar.
 * 3. best_seller — the fallback that keeps the block from being empty: `bestSellers` in the
 *    caller's order, which is its priority (the seeds' category first, then the whole shop), then
 *    any other showable candidate (a shop with no orders yet), by product id. Both are reported as
 *    best_seller: the tier is "what the shop would show anyone", not "related to the seed".
 * Ties go to the lower product id (plain string order, not locale order, so every machine
 * agrees): the result depends on the input alone. So the block has min(limit, showable) items.
 */

export type RecommendationReason = 'viewed_together' | 'similar' | 'best_seller';
export type Recommendation = { item: CatalogItem; reason: RecommendationReason };

export type RecommendInput = {
  /** What the email is about (the viewed items, the restocked item…). */
  seeds: readonly CatalogItem[];
  /** The catalog items that may be shown. */
  candidates: readonly CatalogItem[];
  /** Seed product id → the products viewed with it; entries under other ids are ignored. */
  coViews: ReadonlyMap<string, readonly CoView[]>;
  /** Most wanted first: the order is the fallback's order. */
  bestSellers: readonly { product_id: string; count: number }[];
  /** Product ids never to show: bought, in the cart. */
  exclude: ReadonlySet<string>;
  /** 1..24: a block, not a catalog page. */
  limit: number;
};

export const maxRecommendations = 24;

/** The similarity weights and band, in one place so the doc and the tests name them. */
export const similarityWeights = {
  category: 4,
  tag: 1,
  maxTags: 3,
  brand: 2,
  priceBand: 2,
  /** ± this fraction of the seed's price. */
  priceBandFraction: 0.4,
} as const;

const tierOrder: Record<RecommendationReason, number> = { viewed_together: 0, similar: 1, best_seller: 2 };

type Ranked = { item: CatalogItem; reason: RecommendationReason; score: number };

export function recommend(input: RecommendInput): Recommendation[] {
  checkRecommendationLimit(input.limit);
  const seedIds = new Set(input.seeds.map((seed) => seed.product_id));
  const coViewCounts = sumCoViews(seedIds, input.coViews);
  const bestSellerRanks = rankBestSellers(input.bestSellers);
  const seen = new Set<string>();
  const ranked: Ranked[] = [];
  for (const item of input.candidates) {
    // The first copy of a product wins; the caller builds candidates from maps, so copies are rare.
    if (seen.has(item.product_id)) continue;
    seen.add(item.product_id);
    if (seedIds.has(item.product_id) || input.exclude.has(item.product_id) || !isShowable(item)) continue;
    ranked.push(rankItem(item, input.seeds, coViewCounts, bestSellerRanks));
  }
  ranked.sort(compareRanked);
  return ranked.slice(0, input.limit).map(({ item, reason }) => ({ item, reason }));
}

/** Throws a RangeError naming the field unless limit is a whole number in 1..24. */
export function checkRecommendationLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRecommendations) {
    throw new RangeError(`recommend: limit must be an integer from 1 to ${maxRecommendations}, got ${String(limit)}`);
  }
}

function isShowable(item: CatalogItem): boolean {
  return item.stock !== 0 && isFilled(item.name) && isFilled(item.url);
}

function isFilled(value: string | null): boolean {
  return value !== null && value.trim() !== '';
}

function sumCoViews(seedIds: ReadonlySet<string>, coViews: ReadonlyMap<string, readonly CoView[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const seedId of seedIds) {
    for (const { product_id, count } of coViews.get(seedId) ?? []) {
      counts.set(product_id, (counts.get(product_id) ?? 0) + count);
    }
  }
  return counts;
}

/** Product id → its place in the caller's list (first mention wins). */
function rankBestSellers(bestSellers: RecommendInput['bestSellers']): Map<string, number> {
  const ranks = new Map<string, number>();
  bestSellers.forEach(({ product_id }, index) => {
    if (!ranks.has(product_id)) ranks.set(product_id, index);
  });
  return ranks;
}

/**
 * Tier and score; within a tier a higher score comes first. Best sellers score by their place in
 * the list (earlier = higher); showable items nobody bought score below every listed one.
 */
function rankItem(item: CatalogItem, seeds: readonly CatalogItem[], coViewCounts: ReadonlyMap<string, number>, bestSellerRanks: ReadonlyMap<string, number>): Ranked {
  const coViewed = coViewCounts.get(item.product_id) ?? 0;
  if (coViewed > 0) return { item, reason: 'viewed_together', score: coViewed };
  const similarity = Math.max(0, ...seeds.map((seed) => scoreSimilarity(seed, item)));
  if (similarity > 0) return { item, reason: 'similar', score: similarity };
  const rank = bestSellerRanks.get(item.product_id);
  return { item, reason: 'best_seller', score: rank === undefined ? -Infinity : -rank };
}

export function scoreSimilarity(seed: CatalogItem, item: CatalogItem): number {
  const w = similarityWeights;
  let score = 0;
  if (seed.category !== null && seed.category === item.category) score += w.category;
  score += Math.min(countSharedTags(seed.tags, item.tags), w.maxTags) * w.tag;
  if (seed.brand !== null && seed.brand === item.brand) score += w.brand;
  if (isInPriceBand(seed, item)) score += w.priceBand;
  return score;
}

function countSharedTags(seedTags: readonly string[] | null, itemTags: readonly string[] | null): number {
  const wanted = new Set((seedTags ?? []).map(normalizeTag).filter((tag) => tag !== ''));
  const shared = new Set((itemTags ?? []).map(normalizeTag).filter((tag) => wanted.has(tag)));
  return shared.size;
}

function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/** Prices in different currencies say nothing about each other, so they never match. */
function isInPriceBand(seed: CatalogItem, item: CatalogItem): boolean {
  if (seed.price === null || item.price === null || seed.currency !== item.currency) return false;
  return Math.abs(item.price - seed.price) <= similarityWeights.priceBandFraction * seed.price;
}

function compareRanked(a: Ranked, b: Ranked): number {
  const tier = tierOrder[a.reason] - tierOrder[b.reason];
  if (tier !== 0) return tier;
  if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  return a.item.product_id < b.item.product_id ? -1 : a.item.product_id > b.item.product_id ? 1 : 0;
}
