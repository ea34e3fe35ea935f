import type { Profile } from '../profiles/profile.ts';
import { defaultProfileConfig, type ProfileConfig } from '../profiles/profile-config.ts';
import type { PersonHistory } from './person-history.ts';

/**
 * The fields reconciliation judges, and what each means on both sides:
 *  - orders.count: Order Completed events (profile: the counter orders.count);
 *  - orders.revenue: their sum of totals, equal to the cent (within half a cent: both sides round
 *    amounts to the micro-unit, so anything larger is a lost or doubled order, not float noise);
 *  - orders.last_order_at: the latest order's stamp, equal to the millisecond;
 *  - cart.items: product ids and quantities of the active cart since the last order (names and
 *    prices are descriptions, not history facts: not judged);
 *  - consent.email_marketing: the latest boolean said (true, false, or null when never said);
 *  - identities.emails: the addresses, as a set — the history's most recent `emailsMax` ones,
 *    since the profile keeps no more;
 *  - last_seen_at: the latest stamp of any event, equal to the millisecond.
 */
export const reconciledFields = [
  'orders.count',
  'orders.revenue',
  'orders.last_order_at',
  'cart.items',
  'consent.email_marketing',
  'identities.emails',
  'last_seen_at',
] as const;
export type ReconciledField = (typeof reconciledFields)[number];

export type ProfileDiff = { field: ReconciledField; profile_value: unknown; history_value: unknown };

/** Half a cent: amounts that round to within it are the same money. */
const moneyTolerance = 0.005;

/** Each field the profile and the history disagree on, in reconciledFields order. Pure. */
export function compareProfile(profile: Profile, history: PersonHistory, config: Pick<ProfileConfig, 'emailsMax'> = defaultProfileConfig): ProfileDiff[] {
  const sides = valuesOf(profile, history, config);
  return reconciledFields
    .filter((field) => !agree(field, sides[field].profile, sides[field].history))
    .map((field) => ({ field, profile_value: sides[field].profile, history_value: sides[field].history }));
}

type Sides = Record<ReconciledField, { profile: unknown; history: unknown }>;

function valuesOf(profile: Profile, history: PersonHistory, config: Pick<ProfileConfig, 'emailsMax'>): Sides {
  return {
    'orders.count': { profile: profile.orders.count, history: history.orders_count },
    'orders.revenue': { profile: profile.orders.revenue, history: history.orders_revenue },
    'orders.last_order_at': { profile: profile.orders.last_order_at, history: history.last_order_at },
    'cart.items': {
      profile: cartItemsOf(profile),
      history: sortItems(history.cart_items),
    },
    'consent.email_marketing': { profile: profile.consent.email_marketing?.value ?? null, history: history.email_marketing },
    'identities.emails': { profile: [...profile.identities.emails].sort(), history: history.emails.slice(0, config.emailsMax).sort() },
    last_seen_at: { profile: profile.last_seen_at, history: history.last_seen_at },
  };
}

/** The profile's cart lines as the history states them: product ids and quantities. */
export function cartItemsOf(profile: Profile): { product_id: string; quantity: number }[] {
  return sortItems((profile.cart?.items ?? []).map((item) => ({ product_id: item.product_id, quantity: item.quantity })));
}

function sortItems(items: readonly { product_id: string; quantity: number }[]): { product_id: string; quantity: number }[] {
  return [...items].sort((a, b) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0)).map(({ product_id, quantity }) => ({ product_id, quantity }));
}

function agree(field: ReconciledField, a: unknown, b: unknown): boolean {
  switch (field) {
    case 'orders.revenue':
      return Math.abs((a as number) - (b as number)) < moneyTolerance;
    case 'orders.last_order_at':
    case 'last_seen_at':
      return sameInstant(a as string | null, b as string | null);
    default:
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Date.parse(a) === Date.parse(b);
}
