import type { CoView } from '../product-interest/product-interest.ts';

/** How many co-viewed products each product keeps (issue 9: "bounded: top-K per item"). */
export const CO_VIEWS_TOP_K = 50;

/**
 * Adds one co-view with each of `others` to a product's list and keeps the `topK` highest counts,
 * highest first (tie: product_id ascending, so the order never depends on arrival).
 *
 * The bound makes counts approximate. A product already listed gets +1. A new product takes a free
 * place with count 1; when the list is full it replaces the last one (the lowest count; among equal
 * counts the greatest product_id) and takes that count + 1 — the "Space-Saving" rule (Metwally,
 * Agrawal, El Abbadi 2005). Why not start a newcomer at 1: once all K kept counts are ≥ 2, a
 * newcomer would be evicted at once, every time, and the list would freeze on old products while
 * the shop launches new ones. With this rule:
 * - the counts sum to the number of co-views ever added, and each kept count over-estimates the
 *   true one by at most the count it inherited;
 * - any product co-viewed more than (total co-views / K) times is guaranteed to be kept;
 * - the bottom of a full list churns; recommendations read its top.
 */
export function addCoViews(list: readonly CoView[], others: readonly string[], topK: number): CoView[] {
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`topK must be a whole number ≥ 1 (got ${topK})`);
  const counts = new Map<string, number>();
  for (const { product_id, count } of list) counts.set(product_id, (counts.get(product_id) ?? 0) + count);
  let kept = sortCoViews(counts);
  // A list stored with a larger bound (the bound was lowered) is cut to the new one.
  if (kept.length > topK) kept = kept.slice(0, topK);
  for (const other of others) {
    const listed = kept.find((entry) => entry.product_id === other);
    if (listed) listed.count += 1;
    else if (kept.length < topK) kept.push({ product_id: other, count: 1 });
    else {
      const evicted = kept.pop()!;
      kept.push({ product_id: other, count: evicted.count + 1 });
    }
    kept = sortCoViews(kept.map((entry) => [entry.product_id, entry.count] as const));
  }
  return kept;
}

/** Highest count first, then product_id ascending. */
function sortCoViews(entries: Iterable<readonly [string, number]>): CoView[] {
  return [...entries]
    .map(([product_id, count]) => ({ product_id, count }))
    .sort((a, b) => b.count - a.count || (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0));
}
