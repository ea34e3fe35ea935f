import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { chooseOffer } from './choose-offer.ts';
import type { EmailData, EmailSample } from './email-data.ts';

/** EmailData for a preview or the start-up check: the sample, with its offer chosen by the campaign's rules unless it fixes one. */
export function sampleEmailData(definition: CampaignDefinition, sample: EmailSample, now: Date): EmailData {
  const { has_ordered_before, offer, ...data } = sample;
  return {
    ...data,
    offer:
      offer !== undefined
        ? offer
        : chooseOffer(definition.offers, { cart_value: sample.cart.value, currency: sample.cart.currency, has_ordered_before }, now),
  };
}
