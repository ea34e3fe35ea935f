import { parseDuration } from '../campaigns/duration.ts';
import type { OfferRule, OfferSpec } from '../campaigns/campaign-definition.ts';
import type { Offer } from './email-data.ts';
import { formatMoney } from './format-money.ts';

export type OfferContext = {
  /** Cart value in `currency`. */
  cart_value: number;
  currency: string;
  has_ordered_before: boolean;
};

/**
 * The offer for this cart: the first rule whose conditions all hold (a rule with no conditions
 * always matches), or null. `now` is injected (the caller's Clock) so the expiry is reproducible.
 */
export function chooseOffer(rules: readonly OfferRule[], context: OfferContext, now: Date): Offer | null {
  const rule = rules.find(({ when }) => {
    if (when.min_cart_value !== undefined && !(context.cart_value >= when.min_cart_value)) return false;
    if (when.has_ordered_before !== undefined && when.has_ordered_before !== context.has_ordered_before) return false;
    return true;
  });
  if (!rule) return null;
  const { offer } = rule;
  return {
    kind: offer.kind,
    value: offer.value ?? null,
    code: offer.code,
    expires_at: new Date(now.getTime() + parseDuration(offer.expires_in)).toISOString(),
    label: labelOffer(offer, context.currency),
  };
}

function labelOffer(offer: OfferSpec, currency: string): string {
  switch (offer.kind) {
    case 'percent':
      return `${offer.value}% off`;
    case 'amount':
      return `${formatMoney(offer.value ?? 0, currency)} off`;
    case 'free_shipping':
      return 'Free shipping';
  }
}
