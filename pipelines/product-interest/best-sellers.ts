import { z } from 'zod';

/** getBestSellers' query, checked the same way by every adapter. */
export const BestSellersQuery = z.object({
  category: z.string().min(1).nullable(),
  limit: z.number().int().min(1).max(1000),
});
export type BestSellersQuery = z.infer<typeof BestSellersQuery>;

/** One product's best-seller line as adapters store it: orders counted once each, its latest known category. */
export type BestSeller = { product_id: string; count: number; category: string | null };

export function readBestSellersQuery(query: BestSellersQuery): BestSellersQuery {
  const parsed = BestSellersQuery.safeParse(query);
  if (!parsed.success) {
    const summary = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(query)'}: ${issue.message}`).join('; ');
    throw new RangeError(`getBestSellers: ${summary}`);
  }
  return parsed.data;
}

/** Adds a batch's counts to a stored line; an order that names the category updates it. */
export function addBestSeller(current: BestSeller | null, productId: string, added: { count: number; category: string | null }): BestSeller {
  return { product_id: productId, count: (current?.count ?? 0) + added.count, category: added.category ?? current?.category ?? null };
}

/** Most bought first, then product_id in code-point order (SQLite's and Firestore's), the same on every adapter. */
export function compareBestSellers(a: BestSeller, b: BestSeller): number {
  return b.count - a.count || Buffer.compare(Buffer.from(a.product_id, 'utf8'), Buffer.from(b.product_id, 'utf8'));
}
