import { parseDuration } from '../campaigns/duration.ts';
import type { OfferRule, OfferSpec } from '../campaigns/campaign-definition.ts';
import type { Offer } from './email-data.ts';
import { formatMoney } from './format-money.ts';
import { offerCodeExpiry } from './offer-code.ts';

/**
 * The code of one email for a `unique: true` offer, from the campaign's code (the prefix) and the
 * expiry (whole minutes): a journey step signs it for its send id with the first link key
 * (offer-code.ts), a preview with a fixed preview id.
 */
export type OfferCodeFor = (prefix: string, expiresAt: Date) => string;

export type OfferContext = {
  /** Cart value in `currency`. */
  cart_value: number;
  currency: string;
  has_ordered_before: boolean;
  /** Needed only when the chosen offer is `unique`; choosing one without it throws (a caller bug, never a static code in its place). */
  codeFor?: OfferCodeFor;
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
  const expiresAt = new Date(now.getTime() + parseDuration(offer.expires_in));
  if (offer.unique === true) {
    if (!context.codeFor) throw new Error(`offer ${offer.code} is unique: chooseOffer needs codeFor (the send's code signer)`);
    // Whole minutes: the code carries the expiry to the minute, and the email shows exactly that.
    const expiry = offerCodeExpiry(expiresAt);
    return { kind: offer.kind, value: offer.value ?? null, code: context.codeFor(offer.code, expiry), expires_at: expiry.toISOString(), label: labelOffer(offer, context.currency) };
  }
  return {
    kind: offer.kind,
    value: offer.value ?? null,
    code: offer.code,
    expires_at: expiresAt.toISOString(),
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
