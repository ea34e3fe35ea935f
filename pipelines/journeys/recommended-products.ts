import type { TriggerDeps } from './journey-trigger.ts';
import { toProductData } from './product-data.ts';
import type { EmailData, ProductData } from '../content/email-data.ts';
import type { LiveDataFallback } from '../content/live-data.ts';
import type { Profile } from '../profiles/profile.ts';

/**
 * The recommendations block of an email, as the shopper will see it: the recommended items read
 * live (within the send's deadline), and only those still available — a block of sold-out items
 * would be worse than a shorter one. The fallbacks taken are pushed onto `fallbacks`. Empty when the
 * campaign shows none or no recommender is wired.
 */
export async function readRecommendedProducts(
  deps: Pick<TriggerDeps, 'recommend' | 'liveData' | 'shop'>,
  request: { seedIds: readonly string[]; exclude: ReadonlySet<string>; limit: number; deadline: Date },
  fallbacks: LiveDataFallback[],
): Promise<ProductData[]> {
  if (!deps.recommend || request.limit === 0) return [];
  const recommended = await deps.recommend({ seedIds: request.seedIds, exclude: request.exclude, limit: request.limit });
  if (recommended.length === 0) return [];
  const live = await deps.liveData(recommended.map((entry) => entry.item.product_id), { deadline: request.deadline });
  fallbacks.push(...live.fallbacks);
  return recommended
    .map((entry) => live.items.get(entry.item.product_id))
    .filter((item) => item !== undefined)
    .map((item) => toProductData(item.product_id, item, null, deps.shop))
    .filter((item): item is ProductData => item !== null && item.available);
}

/** What every email carries besides its trigger's blocks and offer: who it is to, the unsubscribe link, the shop. */
export function emailEnvelope(profile: Profile, email: string, unsubscribeUrl: string, shop: TriggerDeps['shop']): Pick<EmailData, 'person' | 'unsubscribe_url' | 'shop' | 'postal_address'> {
  const firstName = profile.traits.first_name;
  return {
    person: { id: profile.person_id, email, first_name: typeof firstName === 'string' ? firstName : null },
    unsubscribe_url: unsubscribeUrl,
    shop: { name: shop.name, url: shop.url },
    postal_address: shop.postal_address,
  };
}
