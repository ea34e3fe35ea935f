import type { CatalogTrigger } from './catalog-trigger-key.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { CatalogItem } from '../catalog/catalog-item.ts';

/** A catalog change that starts a journey: fan it out to the people interested (fan-out-catalog-trigger.ts). */
export type FiredCatalogTrigger = CatalogTrigger & { campaign_id: string; /** stock after a restock (caps the audience); null for a price drop */ stock: number | null };

/**
 * Which journeys one catalog change starts. Pure: the caller reads the item before the update
 * and merges the update into it (apply-catalog-update.ts), so a redelivered update fires the
 * same triggers with the same keys, and the fan-out's timers and send ids dedupe it.
 * - back in stock: stock was known to be 0 and is now above 0;
 * - price drop: price was known and above 0, the currency did not change, and the new price is
 *   lower by at least the campaign's min_drop_percent (a change of currency is not a drop), and
 *   above 0: a price of 0 is far more often a feed glitch than a giveaway, and mailing every
 *   recent viewer "100% off" on a glitch is the worst wrong answer this journey can give.
 * A trigger is named by the update that set the value it ends — the one that made the stock 0,
 * the one that set the old price — so two updates racing past the same sold-out period (a restock
 * and a sale a second later, both read stock 0 before either was applied) are one restock with one
 * key, and the fan-out and the send ledger dedupe them. `eventId` (the update that caused the
 * change) names it only when the old value has no clock (an item stored before clocks existed).
 */
export function detectCatalogTriggers(campaigns: readonly CampaignDefinition[], before: CatalogItem | null, after: CatalogItem, eventId: string): FiredCatalogTrigger[] {
  if (!before) return [];
  const fired: FiredCatalogTrigger[] = [];
  for (const campaign of campaigns) {
    const trigger = campaign.trigger;
    if (trigger.kind === 'back_in_stock' && before.stock === 0 && after.stock !== null && after.stock > 0) {
      fired.push({ kind: 'back_in_stock', campaign_id: campaign.id, product_id: after.product_id, event_id: before.clocks.stock?.event_id ?? eventId, stock: after.stock });
    }
    if (trigger.kind === 'price_drop' && before.price !== null && before.price > 0 && after.price !== null && after.price > 0 && before.currency === after.currency) {
      const dropPercent = ((before.price - after.price) / before.price) * 100;
      // A hair of tolerance: 19.90 → 17.91 is a 10% cut, though floating point makes it 9.999…
      if (dropPercent >= trigger.min_drop_percent - 1e-9) {
        fired.push({ kind: 'price_drop', campaign_id: campaign.id, product_id: after.product_id, event_id: before.clocks.price?.event_id ?? eventId, previous_price: before.price, stock: null });
      }
    }
  }
  return fired;
}
