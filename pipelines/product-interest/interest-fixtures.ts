import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';

/**
 * Events for interest tests: `viewed('p1', { at: T(5), id: 'e1' })`. Identity: anonymous
 * 'anon-1' unless `user` or `anon` says otherwise; received_at = occurred_at = `at`.
 */
export type InterestEventOptions = { at?: string; id?: string; user?: string | null; anon?: string | null };

/** 2026-03-01 10:00 UTC plus `minutes`. */
export const T = (minutes: number): string => new Date(Date.UTC(2026, 2, 1, 10, 0) + minutes * 60_000).toISOString();

function base(options: InterestEventOptions): Partial<NudgeEvent> {
  const at = options.at ?? T(0);
  return {
    ...(options.id ? { event_id: options.id } : {}),
    occurred_at: at,
    received_at: at,
    anonymous_id: options.anon === undefined ? 'anon-1' : options.anon,
    user_id: options.user ?? null,
  };
}

export const viewed = (productId: string, options: InterestEventOptions = {}): NudgeEvent => makeEvent('product_viewed', { ...base(options), properties: { product_id: productId } });
export const added = (productId: string, options: InterestEventOptions = {}): NudgeEvent => makeEvent('product_added', { ...base(options), properties: { product_id: productId, quantity: 1 } });
export const requested = (productId: string, options: InterestEventOptions = {}): NudgeEvent =>
  makeEvent('back_in_stock_requested', { ...base(options), event_name: 'Back In Stock Requested', properties: { product_id: productId } });
export const ordered = (products: Array<{ product_id: string; category?: string }>, options: InterestEventOptions = {}): NudgeEvent =>
  makeEvent('order_completed', { ...base(options), properties: { order_id: `o-${options.id ?? 'x'}`, products } });
