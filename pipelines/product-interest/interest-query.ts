import { z } from 'zod';
import { latestInterestAt, latestOutOfStockInterestAt } from './apply-interest-signal.ts';
import { Instant, type ProductInterest } from './product-interest.ts';

/**
 * listInterested's query, read once by every adapter so they refuse the same things the same way,
 * and the page order and cursor they share.
 */
export const MAX_INTERESTED_PAGE = 1000;

export const InterestedQuery = z.object({
  since: Instant,
  outOfStockOnly: z.boolean(),
  after: z.string().nullable(),
  limit: z.number().int().min(1).max(MAX_INTERESTED_PAGE),
});
export type InterestedQuery = z.infer<typeof InterestedQuery>;

/** Where a page ends: the (first_interest_at, identity) of its last record. */
export type InterestPosition = { first_interest_at: string; identity: string };

/** A listInterested query nudge cannot answer (a caller's bug, never retried). */
export class InvalidInterestQueryError extends Error {
  override readonly name = 'InvalidInterestQueryError';
}

/** The query, checked, with its cursor read; throws InvalidInterestQueryError naming the field. */
export function readInterestedQuery(productId: string, query: InterestedQuery): { productId: string; query: InterestedQuery; after: InterestPosition | null } {
  if (typeof productId !== 'string' || productId === '') throw new InvalidInterestQueryError('productId: Expected a non-empty string');
  const parsed = InterestedQuery.safeParse(query);
  if (!parsed.success) {
    const summary = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(query)'}: ${issue.message}`).join('; ');
    throw new InvalidInterestQueryError(`listInterested: ${summary}`);
  }
  return { productId, query: parsed.data, after: parsed.data.after === null ? null : decodeInterestCursor(parsed.data.after) };
}

/**
 * The cursor is opaque to callers (base64url of the position), but one format for every adapter,
 * so the ordering it encodes is the contract's, not a storage detail.
 */
export function encodeInterestCursor(position: InterestPosition): string {
  return Buffer.from(JSON.stringify([position.first_interest_at, position.identity])).toString('base64url');
}

export function decodeInterestCursor(cursor: string): InterestPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  const parsed = z.tuple([Instant, z.string().min(1)]).safeParse(value);
  if (!parsed.success) throw new InvalidInterestQueryError('after: not a cursor listInterested returned');
  return { first_interest_at: parsed.data[0], identity: parsed.data[1] };
}

/** Whether a record belongs in the answer (apart from the cursor). */
export function matchesInterestedQuery(record: ProductInterest, query: Pick<InterestedQuery, 'since' | 'outOfStockOnly'>): boolean {
  const latest = query.outOfStockOnly ? latestOutOfStockInterestAt(record) : latestInterestAt(record);
  return latest !== null && latest >= query.since;
}

/**
 * Page order: first come (first_interest_at), then identity in code-point order — the order SQLite
 * (BINARY) and Firestore (UTF-8 bytes) compare strings in, which JavaScript's `<` (UTF-16 units)
 * does not for characters beyond U+FFFF.
 */
export function compareInterestPosition(a: InterestPosition, b: InterestPosition): number {
  if (a.first_interest_at !== b.first_interest_at) return a.first_interest_at < b.first_interest_at ? -1 : 1;
  return Buffer.compare(Buffer.from(a.identity, 'utf8'), Buffer.from(b.identity, 'utf8'));
}

export function isAfterPosition(record: InterestPosition, after: InterestPosition | null): boolean {
  return after === null || compareInterestPosition(record, after) > 0;
}

/** getInterests' order on every adapter: identity, then product_id (code-point order). */
export function sortInterests(interests: ProductInterest[]): ProductInterest[] {
  const bytes = (value: string) => Buffer.from(value, 'utf8');
  return interests.sort((a, b) => Buffer.compare(bytes(a.identity), bytes(b.identity)) || Buffer.compare(bytes(a.product_id), bytes(b.product_id)));
}
