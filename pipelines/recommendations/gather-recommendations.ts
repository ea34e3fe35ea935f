import { type CatalogItem, emptyCatalogItem } from '../catalog/catalog-item.ts';
import type { CatalogStore } from '../catalog/catalog-store.ts';
import type { InterestStore } from '../product-interest/interest-store.ts';
import type { CoView } from '../product-interest/product-interest.ts';
import { checkRecommendationLimit, type Recommendation, recommend } from './recommend.ts';

/**
 * The reads around recommend(): what the seeds are, what was viewed with them, what else is in
 * their categories, what sells. Every read is bounded, because this runs inside a send and a
 * shop's catalog can be any size:
 * - at most `maxSeeds` seed ids (a refused request, not a silent cut: the caller chose them);
 * - candidates from at most `maxCategories` of the seeds' categories (the first seeds' first),
 *   `candidatesPerCategory` in-stock items each (findItems orders by product id, so in a bigger
 *   category this is a slice, not the best of it — co-views and best sellers cover the rest);
 *   with no seed category at all, one such slice of the whole shop, so similarity by tags, brand
 *   and price still has something to score;
 * - best sellers: `bestSellersPerQuery` per seed category, then as many over the whole shop,
 *   in that order, which recommend() takes as the fallback's priority;
 * - co-views: the store keeps top-K per product, so at most maxSeeds × K ids;
 * - one getItems for the co-viewed and best-selling ids not already read.
 * Transient store errors are thrown as they come: the journey step retries the send.
 */

/** Structurally CatalogStore['findItems'] (issue 9's catalog-feed work), declared here so either compiles. */
export type FindCatalogItems = (query: { category: string | null; inStockOnly: boolean; limit: number }) => Promise<CatalogItem[]>;

export type GatherRecommendationsDeps = {
  catalog: Pick<CatalogStore, 'getItems'> & { findItems: FindCatalogItems };
  interests: Pick<InterestStore, 'getCoViews' | 'getBestSellers'>;
};

export type RecommendationRequest = {
  /** What the email is about; never shown as a recommendation, known to the catalog or not. */
  seedIds: readonly string[];
  /** Never shown: bought, in the cart. */
  exclude: ReadonlySet<string>;
  /** 1..24. */
  limit: number;
};

export const gatherBounds = { maxSeeds: 10, maxCategories: 3, candidatesPerCategory: 100, bestSellersPerQuery: 50 } as const;

/** A seed the catalog does not know still brings its co-views; it just matches nothing as "similar". */
const unknownSeedTime = '1970-01-01T00:00:00.000Z';

export function createGatherRecommendations(deps: GatherRecommendationsDeps): (request: RecommendationRequest) => Promise<Recommendation[]> {
  return async function gatherRecommendations(request) {
    checkRequest(request);
    const seedIds = unique(request.seedIds);
    // Stores are not asked about nothing (an empty `in` query is an error on some backends).
    const [seedItems, coViews] =
      seedIds.length === 0 ? [new Map<string, CatalogItem>(), new Map<string, CoView[]>()] : await Promise.all([deps.catalog.getItems(seedIds), deps.interests.getCoViews(seedIds)]);
    const seeds = seedIds.map((id) => seedItems.get(id) ?? emptyCatalogItem(id, unknownSeedTime));
    const categories = unique(seeds.flatMap((seed) => (seed.category === null ? [] : [seed.category]))).slice(0, gatherBounds.maxCategories);

    const candidateQueries = categories.length > 0 ? categories : [null];
    const [found, categorySellers, shopSellers] = await Promise.all([
      Promise.all(candidateQueries.map((category) => deps.catalog.findItems({ category, inStockOnly: true, limit: gatherBounds.candidatesPerCategory }))),
      Promise.all(categories.map((category) => deps.interests.getBestSellers({ category, limit: gatherBounds.bestSellersPerQuery }))),
      deps.interests.getBestSellers({ category: null, limit: gatherBounds.bestSellersPerQuery }),
    ]);
    const bestSellers = [...categorySellers.flat(), ...shopSellers];

    const candidates = new Map<string, CatalogItem>();
    // An item has one category, so the category slices never overlap.
    for (const item of found.flat()) candidates.set(item.product_id, item);
    // Only ids recommend() could show are worth a read.
    const coViewedIds = seedIds.flatMap((id) => (coViews.get(id) ?? []).map((coView) => coView.product_id));
    const missing = unique([...coViewedIds, ...bestSellers.map((seller) => seller.product_id)]).filter(
      (id) => !candidates.has(id) && !request.exclude.has(id) && !seedIds.includes(id),
    );
    if (missing.length > 0) for (const item of (await deps.catalog.getItems(missing)).values()) candidates.set(item.product_id, item);

    return recommend({ seeds, candidates: [...candidates.values()], coViews, bestSellers, exclude: new Set([...request.exclude, ...seedIds]), limit: request.limit });
  };
}

/** Before any read: a request that cannot be answered fails fast, naming the field. */
function checkRequest(request: RecommendationRequest): void {
  checkRecommendationLimit(request.limit);
  const distinct = unique(request.seedIds).length;
  if (distinct > gatherBounds.maxSeeds) {
    throw new RangeError(`gatherRecommendations: seedIds holds ${distinct} distinct ids; at most ${gatherBounds.maxSeeds}`);
  }
  request.seedIds.forEach((id, index) => {
    if (typeof id !== 'string' || id === '') throw new TypeError(`gatherRecommendations: seedIds[${index}] must be a non-empty product id`);
  });
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
