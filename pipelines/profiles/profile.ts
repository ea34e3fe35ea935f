import { z } from 'zod';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';

/**
 * One document per person (DESIGN.md §3). Two kinds of fields live side by side:
 *  - views that journeys, templates and `nudge profile` read (identities, traits, consent, cart,
 *    recent_views, category_affinities, orders, seen times);
 *  - the mergeable state they are derived from (`clocks`, `state`).
 * mergeProfiles only ever combines state and recomputes the views, which is what makes the merge
 * commutative and associative (DESIGN.md §4). Everything is plain JSON with null, never
 * undefined, and only user-free map keys outside `traits` and `clocks`, so Firestore and SQLite
 * store it as is. Collections default to empty so documents written before a field existed
 * still parse.
 */

/** An instant as `Date#toISOString()` writes it; stamps compare as strings in this form. */
export const Instant = z.iso.datetime({ offset: false });
export type Instant = z.infer<typeof Instant>;

/** Which event wrote a value, and when it happened: the last-writer-wins clock (tie: event id). */
export const EventStamp = z.object({ at: Instant, event_id: z.string() });
export type EventStamp = z.infer<typeof EventStamp>;

export const CartStatus = z.enum(['open', 'checked_out', 'ordered']);
export type CartStatus = z.infer<typeof CartStatus>;

/** What an event said about a product (all optional in the Segment spec). */
export const ProductDetails = z.object({
  name: z.string().nullable(),
  price: z.number().nullable(),
  image_url: z.string().nullable(),
  url: z.string().nullable(),
  category: z.string().nullable(),
});
export type ProductDetails = z.infer<typeof ProductDetails>;

export const CartItem = z.object({
  product_id: z.string(),
  name: z.string().nullable(),
  price: z.number().nullable(),
  quantity: z.number().int(),
  image_url: z.string().nullable(),
  url: z.string().nullable(),
  category: z.string().nullable(),
});
export type CartItem = z.infer<typeof CartItem>;

/** The cart view: the person's most recently active cart. */
export const Cart = z.object({
  cart_id: z.string(),
  items: z.array(CartItem),
  /** Σ price × quantity (items without a price count 0), rounded to 6 decimals. */
  value: z.number(),
  currency: z.string().nullable(),
  status: CartStatus,
  /** Time of the cart's latest own activity. */
  updated_at: Instant,
  /**
   * The event that closed this cart id's previous filling: the change that emptied it, or the
   * last order. One cart id ("default" when the shop sends none) holds many carts over time, and
   * each gets its own journey; null for the first one nudge knows of, and while the cart is empty.
   */
  opened_after_event_id: z.string().nullable().default(null),
});
export type Cart = z.infer<typeof Cart>;

/** A signed quantity change (Product Added +q, Product Removed −q), keyed by its event. */
export const CartDelta = EventStamp.extend({ product_id: z.string(), quantity: z.number().int() });
export type CartDelta = z.infer<typeof CartDelta>;

/** Quantities as of one moment (a Cart Viewed / Checkout Started snapshot); later deltas add on. */
export const CartBase = EventStamp.extend({
  items: z.array(z.object({ product_id: z.string(), quantity: z.number().int() })),
});
export type CartBase = z.infer<typeof CartBase>;

/** Product Removed without a quantity: the line is emptied as of this stamp. */
export const CartClear = EventStamp.extend({ product_id: z.string() });
export type CartClear = z.infer<typeof CartClear>;

/** The latest description of a product in this cart (last writer wins, whole record). */
export const CartLine = EventStamp.extend({ product_id: z.string(), ...ProductDetails.shape });
export type CartLine = z.infer<typeof CartLine>;

export const CartStatusValue = EventStamp.extend({ value: CartStatus });
export type CartStatusValue = z.infer<typeof CartStatusValue>;

export const StringValue = EventStamp.extend({ value: z.string() });
export type StringValue = z.infer<typeof StringValue>;

/**
 * One cart's mergeable state: a log of what happened to it since the person's last order
 * (snapshots, quantity changes, cleared lines), replayed in stamp order to get its contents and
 * the moment it was last filled from empty (cart-state.ts). Documents written before `bases`
 * existed carry a single `base`; it is read as a one-entry log.
 */
export const CartState = z.preprocess(migrateSingleBase, z.object({
  cart_id: z.string(),
  bases: z.array(CartBase).default([]),
  deltas: z.array(CartDelta),
  clears: z.array(CartClear),
  lines: z.array(CartLine),
  status: CartStatusValue.nullable(),
  currency: StringValue.nullable(),
}));
export type CartState = z.infer<typeof CartState>;

function migrateSingleBase(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || !('base' in doc)) return doc;
  const { base, ...rest } = doc as { base: unknown; bases?: unknown };
  return rest.bases !== undefined ? rest : { ...rest, bases: base ? [base] : [] };
}

/** Interest in a category on one UTC day; weights of a day add up. */
export const AffinityDay = z.object({
  category: z.string(),
  day: z.iso.date(),
  weight: z.number(),
});
export type AffinityDay = z.infer<typeof AffinityDay>;

export const RecentView = z.object({
  product_id: z.string(),
  ...ProductDetails.shape,
  currency: z.string().nullable(),
  viewed_at: Instant,
  event_id: z.string(),
});
export type RecentView = z.infer<typeof RecentView>;

export const CategoryAffinity = z.object({ category: z.string(), score: z.number() });
export type CategoryAffinity = z.infer<typeof CategoryAffinity>;

export const ConsentValue = z.object({
  value: z.boolean(),
  at: Instant,
  /** 'identify' (trait email_marketing_consent) or the Consent Updated event's `source`. */
  source: z.string(),
});
export type ConsentValue = z.infer<typeof ConsentValue>;

const Json = z.json();

export const Profile = z.object({
  person_id: z.string(),
  /** Incremented on every write; lets readers and reconciliation detect change. */
  version: z.number().int().min(0),
  /** Set when this person was merged into another (alias, stitching); the winner's id. */
  merged_into: z.string().nullable(),
  identities: z
    .object({
      /** Most recently seen first. */
      anonymous_ids: z.array(z.string()),
      user_id: z.string().nullable(),
      /** Lower-cased, most recently seen first: emails[0] is the one to write to. */
      emails: z.array(z.string()),
    })
    .default({ anonymous_ids: [], user_id: null, emails: [] }),
  /** Identify traits, last writer wins per key. */
  traits: z.record(z.string(), Json).default({}),
  consent: z.object({ email_marketing: ConsentValue.nullable() }).default({ email_marketing: null }),
  cart: Cart.nullable().default(null),
  /** Latest first, one entry per product. */
  recent_views: z.array(RecentView).default([]),
  category_affinities: z
    .object({
      /** Scores are decayed to this instant (the day of the newest categorised activity). */
      as_of: Instant.nullable(),
      half_life_days: z.number(),
      /** Highest score first. */
      scores: z.array(CategoryAffinity),
    })
    .default({ as_of: null, half_life_days: 14, scores: [] }),
  orders: z
    .object({
      count: z.number().int(),
      /** Sum of order totals (total, else revenue), whatever their currency. */
      revenue: z.number(),
      currency: z.string().nullable(),
      last_order_at: Instant.nullable(),
      last_order_id: z.string().nullable(),
    })
    .default({ count: 0, revenue: 0, currency: null, last_order_at: null, last_order_id: null }),
  first_seen_at: Instant.nullable().default(null),
  last_seen_at: Instant.nullable().default(null),
  /**
   * Per-field event clocks. Keys: `user_id`, `trait:<key>`, `consent:email_marketing`,
   * `order:last` (the values they stamp), `anon:<id>` and `email:<address>` (when that
   * identity was last seen; they order and cap the identity lists).
   */
  clocks: z.record(z.string(), EventStamp).default({}),
  state: z
    .object({
      carts: z.array(CartState),
      /** Latest Order Completed: empties every cart active before it (orders carry no cart_id). */
      carts_ordered: EventStamp.nullable(),
      /** Latest Checkout Started without a cart_id: every cart active before it is checked out. */
      carts_checked_out: EventStamp.nullable(),
      affinity_days: z.array(AffinityDay),
    })
    .default({ carts: [], carts_ordered: null, carts_checked_out: null, affinity_days: [] }),
  /** When the document was first written (wall clock of the writer). */
  created_at: Instant,
  /** When the document was last written (wall clock of the writer). */
  updated_at: Instant,
});
export type Profile = z.infer<typeof Profile>;

/** A person with nothing known yet. */
export function emptyProfile(personId: string, at: string, config: Pick<ProfileConfig, 'affinityHalfLifeDays'> = defaultProfileConfig): Profile {
  return {
    person_id: personId,
    version: 0,
    merged_into: null,
    identities: { anonymous_ids: [], user_id: null, emails: [] },
    traits: {},
    consent: { email_marketing: null },
    cart: null,
    recent_views: [],
    category_affinities: { as_of: null, half_life_days: config.affinityHalfLifeDays, scores: [] },
    orders: { count: 0, revenue: 0, currency: null, last_order_at: null, last_order_id: null },
    first_seen_at: null,
    last_seen_at: null,
    clocks: {},
    state: { carts: [], carts_ordered: null, carts_checked_out: null, affinity_days: [] },
    created_at: at,
    updated_at: at,
  };
}
