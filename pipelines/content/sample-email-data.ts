import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { chooseOffer, type OfferCodeFor, type OfferContext } from './choose-offer.ts';
import type { EmailData, EmailSample } from './email-data.ts';
import { signOfferCode } from './offer-code.ts';

/** The send id a preview's unique offer code is signed for: a preview has no send. */
export const PREVIEW_SEND_ID = 'preview';
/**
 * Signs preview codes. Published here on purpose: a preview code shows the real format but
 * verifies under no shop's NUDGE_LINK_KEYS, so a preview forwarded around gives nobody a discount.
 */
const PREVIEW_OFFER_KEY = 'nudge-preview-offer-codes-never-verify';
const previewCodeFor: OfferCodeFor = (prefix, expiresAt) => signOfferCode({ prefix, expiresAt, sendId: PREVIEW_SEND_ID }, PREVIEW_OFFER_KEY);

/** EmailData for a preview or the start-up check: the sample, with its offer chosen by the campaign's rules unless it fixes one. */
export function sampleEmailData(definition: CampaignDefinition, sample: EmailSample, now: Date): EmailData {
  const { has_ordered_before, offer, ...data } = sample;
  return {
    ...data,
    offer:
      offer !== undefined
        ? offer
        : chooseOffer(definition.offers, { ...offerContextOf(sample, has_ordered_before), codeFor: previewCodeFor }, now),
  };
}

/** What the offer rules see: the cart's value, else the item's (or the first viewed item's) price. */
export function offerContextOf(data: Pick<EmailData, 'cart' | 'item' | 'items'>, hasOrderedBefore: boolean): OfferContext {
  if (data.cart) return { cart_value: data.cart.value, currency: data.cart.currency, has_ordered_before: hasOrderedBefore };
  const product = data.item ?? data.items?.[0];
  return { cart_value: product?.price ?? 0, currency: product?.currency ?? 'EUR', has_ordered_before: hasOrderedBefore };
}
