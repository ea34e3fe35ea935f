import { z } from 'zod';

/**
 * What the event history says a person's profile should hold: one row of
 * sql/reconcile/read_person_history.sql (staged by stage_person_history.sql), as the warehouse port returns it (instants as ISO text, arrays
 * and structs as JSON). Parsed, not trusted: a row of the wrong shape is an error naming the
 * field, never a "fix" built on a misread value.
 */
const Instant = z.iso.datetime({ offset: false });

export const HistoryCartItem = z.object({ product_id: z.string(), quantity: z.number().int() });
export type HistoryCartItem = z.infer<typeof HistoryCartItem>;

export const PersonHistory = z.object({
  person_id: z.string().min(1),
  /** Events of the person received at or before as_of (dedupe by event_id). */
  events_count: z.number().int().min(0),
  orders_count: z.number().int().min(0),
  orders_revenue: z.number(),
  last_order_at: Instant.nullable(),
  /** Latest boolean said by an identify or a Consent Updated; null when none said it. */
  email_marketing: z.boolean().nullable(),
  consent_at: Instant.nullable(),
  /** Most recently seen first. */
  emails: z.array(z.string()),
  last_seen_at: Instant.nullable(),
  cart_id: z.string().nullable(),
  /** The active cart's lines since the last order, by product_id. */
  cart_items: z.array(HistoryCartItem),
});
export type PersonHistory = z.infer<typeof PersonHistory>;

/** Reads one warehouse row; throws an error naming the field and the person when it does not fit. */
export function readPersonHistory(row: unknown): PersonHistory {
  const parsed = PersonHistory.safeParse(row);
  if (parsed.success) return parsed.data;
  const personId = typeof row === 'object' && row !== null && 'person_id' in row ? String((row as { person_id: unknown }).person_id) : '(unknown)';
  const issue = parsed.error.issues[0]!;
  throw new Error(`person_history row for ${personId}: ${issue.path.join('.') || '(row)'}: ${issue.message}`);
}

/** The history of a person the warehouse has no event of. */
export function emptyHistory(personId: string): PersonHistory {
  return {
    person_id: personId,
    events_count: 0,
    orders_count: 0,
    orders_revenue: 0,
    last_order_at: null,
    email_marketing: null,
    consent_at: null,
    emails: [],
    last_seen_at: null,
    cart_id: null,
    cart_items: [],
  };
}
