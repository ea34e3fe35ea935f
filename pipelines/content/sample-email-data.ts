import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { chooseOffer, type OfferContext } from './choose-offer.ts';
import type { EmailData, EmailSample } from './email-data.ts';

/** EmailData for a preview or the start-up check: the sample, with its offer chosen by the campaign's rules unless it fixes one. */
export function sampleEmailData(definition: CampaignDefinition, sample: EmailSample, now: Date): EmailData {
  const { has_ordered_before, offer, ...data } = sample;
  return {
    ...data,
    offer:
      offer !== undefined
        ? offer
        : chooseOffer(definition.offers, offerContextOf(sample, has_ordered_before), now),
  };
}

/** What the offer rules see: the cart's value, else the item's (or the first viewed item's) price. */
export function offerContextOf(data: Pick<EmailData, 'cart' | 'item' | 'items'>, hasOrderedBefore: boolean): OfferContext {
  if (data.cart) return { cart_value: data.cart.value, currency: data.cart.currency, has_ordered_before: hasOrderedBefore };
  const product = data.item ?? data.items?.[0];
  return { cart_value: product?.price ?? 0, currency: product?.currency ?? 'EUR', has_ordered_before: hasOrderedBefore };
}
