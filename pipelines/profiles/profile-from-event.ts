import type { EventKind, NudgeEvent } from '../events/nudge-event.ts';
import { dayOf } from './affinities.ts';
import { DEFAULT_CART_ID, emptyCart } from './cart-state.ts';
import { identityKey } from './identity-key.ts';
import { mergeProfiles } from './merge-profiles.ts';
import { emptyProfile, type AffinityDay, type CartState, type EventStamp, type Profile } from './profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
import { describesProduct, readCurrency, readId, readMoney, type DropNote, readObject, readProduct, readProducts, readText, type ProductRead } from './read-properties.ts';
import { protectedTraits, trustedTraitSources } from './protected-traits.ts';
import { compareText } from './stamp.ts';

/** Kinds that never touch a profile: unknown track events (history only) and catalog updates. */
const untouched: ReadonlySet<EventKind> = new Set(['other', 'catalog_updated']);

export function touchesProfile(event: Pick<NudgeEvent, 'kind'>): boolean {
  return !untouched.has(event.kind);
}

/**
 * What one event says about its person, as a profile of its own (person_id ''), every value
 * stamped with the event's time and id. Folding an event is merging this fragment in, which is
 * what makes the fold order-independent. Null for events that do not touch profiles.
 */
export function profileFromEvent(event: NudgeEvent, config: ProfileConfig = defaultProfileConfig, drop?: DropNote): Profile | null {
  if (!touchesProfile(event)) return null;
  const receivedAt = instantOf(event.received_at);
  if (receivedAt === null) return null;
  const stamp: EventStamp = { at: stampTimeOf(event.occurred_at, receivedAt), event_id: event.event_id };
  const fragment = emptyProfile('', receivedAt, config);
  fragment.first_seen_at = stamp.at;
  fragment.last_seen_at = stamp.at;

  if (event.anonymous_id) fragment.clocks[identityKey('anon', event.anonymous_id)] = stamp;
  if (event.email) fragment.clocks[identityKey('email', event.email)] = stamp;
  if (event.user_id) {
    fragment.identities.user_id = event.user_id;
    fragment.clocks.user_id = stamp;
  }

  const properties = event.properties;
  const affinity = (category: string | null, times = 1) => addAffinity(fragment, config, event.kind, stamp, category, times);
  const cart = (cartId: unknown) => cartOf(fragment, readId(cartId) ?? DEFAULT_CART_ID);

  switch (event.kind) {
    case 'identify':
      readTraits(fragment, event.traits, stamp, config, trustedTraitSources.has(event.source), drop);
      if (typeof event.traits.email_marketing_consent === 'boolean') {
        setConsent(fragment, event.traits.email_marketing_consent, stamp, 'identify');
      }
      break;
    case 'consent_updated':
      if (typeof properties.email_marketing === 'boolean') {
        setConsent(fragment, properties.email_marketing, stamp, readText(properties.source) ?? 'consent_updated');
      }
      break;
    case 'product_viewed': {
      const product = readProduct(properties, 'properties', drop);
      if (!product) break;
      fragment.recent_views = [
        { product_id: product.product_id, ...product.details, currency: product.currency, viewed_at: stamp.at, event_id: stamp.event_id },
      ];
      affinity(product.details.category);
      break;
    }
    case 'product_list_viewed':
      affinity(readText(properties.category));
      break;
    case 'product_added':
    case 'product_removed': {
      const product = readProduct(properties, 'properties', drop);
      if (!product) break;
      const state = cart(properties.cart_id);
      const quantity = product.quantity;
      if (event.kind === 'product_added') {
        state.deltas.push({ ...stamp, product_id: product.product_id, quantity: quantity ?? 1 });
        affinity(product.details.category);
      } else if (quantity !== null) {
        state.deltas.push({ ...stamp, product_id: product.product_id, quantity: -quantity });
      } else {
        // Product Removed without a quantity empties the line.
        state.clears.push({ ...stamp, product_id: product.product_id });
      }
      describeLines(state, [product], stamp);
      state.status = { ...stamp, value: 'open' };
      setCartCurrency(state, readCurrency(properties.currency) ?? product.currency, stamp);
      break;
    }
    case 'cart_viewed': {
      const products = readProducts(properties.products, drop);
      if (!products) break;
      const state = cart(properties.cart_id);
      snapshot(state, products, stamp);
      state.status = { ...stamp, value: 'open' };
      setCartCurrency(state, readCurrency(properties.currency), stamp);
      break;
    }
    case 'checkout_started': {
      const cartId = readId(properties.cart_id);
      const products = readProducts(properties.products, drop);
      if (cartId !== null || products) {
        const state = cart(cartId);
        if (products) snapshot(state, products, stamp);
        if (cartId !== null) state.status = { ...stamp, value: 'checked_out' };
        setCartCurrency(state, readCurrency(properties.currency), stamp);
      }
      // Without a cart_id the checkout is about whichever carts were active before it.
      if (cartId === null) fragment.state.carts_checked_out = stamp;
      break;
    }
    case 'order_completed': {
      const products = readProducts(properties.products, drop) ?? [];
      const lineTotal = products.reduce((sum, product) => sum + (product.details.price ?? 0) * (product.quantity ?? 1), 0);
      fragment.orders = {
        count: 1,
        revenue:
          readMoney(properties.total, 'properties.total', drop) ??
          readMoney(properties.revenue, 'properties.revenue', drop) ??
          // Each line is bounded at the door, their sum is not: past the bound it is dropped too.
          readMoney(lineTotal, 'properties.products (price × quantity summed)', drop) ??
          0,
        currency: readCurrency(properties.currency),
        last_order_at: stamp.at,
        last_order_id: readId(properties.order_id),
      };
      fragment.clocks['order:last'] = stamp;
      // An order empties every cart active before it: the spec's Order Completed has no cart_id.
      fragment.state.carts_ordered = stamp;
      for (const product of products) affinity(product.details.category, product.quantity ?? 1);
      break;
    }
    default:
      // page, products_searched, alias: who and when only.
      break;
  }
  // Merging into an empty profile applies caps and derives the views.
  return mergeProfiles(fragment, emptyProfile('', receivedAt, config), config);
}

/** The cart an event is about: its cart_id, else the person's default cart. */
export function cartIdOfEvent(event: Pick<NudgeEvent, 'properties'>): string {
  return readId(event.properties.cart_id) ?? DEFAULT_CART_ID;
}

/** The instant an event's values are stamped with in profiles (see stampTimeOf). */
export function eventStampTime(event: Pick<NudgeEvent, 'occurred_at' | 'received_at'>): string | null {
  const receivedAt = instantOf(event.received_at);
  return receivedAt === null ? null : stampTimeOf(event.occurred_at, receivedAt);
}

/**
 * The time an event's values are stamped with: when it happened, but never after nudge received
 * it. A device clock running ahead would otherwise make its cart look newer than an order the
 * shop's server sent a moment later (the collector clamps too; events replayed or published
 * around it are held to the same rule here). An unreadable occurred_at falls back to received_at.
 */
function stampTimeOf(occurredAt: string, receivedAt: string): string {
  const occurred = instantOf(occurredAt);
  return occurred !== null && occurred < receivedAt ? occurred : receivedAt;
}

/** An instant in the `toISOString()` form stamps compare in; null when unreadable. */
function instantOf(value: string): string | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function cartOf(fragment: Profile, cartId: string): CartState {
  const existing = fragment.state.carts.find((cart) => cart.cart_id === cartId);
  if (existing) return existing;
  const cart = emptyCart(cartId);
  fragment.state.carts.push(cart);
  return cart;
}

/** A full list of the cart's products: quantities as of now; later deltas add on. */
function snapshot(cart: CartState, products: ProductRead[], stamp: EventStamp): void {
  const quantities = new Map<string, number>();
  for (const product of products) quantities.set(product.product_id, (quantities.get(product.product_id) ?? 0) + (product.quantity ?? 1));
  cart.bases = [{ ...stamp, items: [...quantities].sort(([p], [q]) => compareText(p, q)).map(([product_id, quantity]) => ({ product_id, quantity })) }];
  describeLines(cart, products, stamp);
}

function describeLines(cart: CartState, products: ProductRead[], stamp: EventStamp): void {
  for (const product of products) {
    if (!describesProduct(product.details) || cart.lines.some((line) => line.product_id === product.product_id)) continue;
    cart.lines.push({ ...stamp, product_id: product.product_id, ...product.details });
  }
}

function setCartCurrency(cart: CartState, currency: string | null, stamp: EventStamp): void {
  if (currency !== null) cart.currency = { ...stamp, value: currency };
}

function setConsent(fragment: Profile, value: boolean, stamp: EventStamp, source: string): void {
  fragment.consent.email_marketing = { value, at: stamp.at, source };
  fragment.clocks['consent:email_marketing'] = stamp;
}

function addAffinity(fragment: Profile, config: ProfileConfig, kind: EventKind, stamp: EventStamp, category: string | null, times: number): void {
  const weight = (config.affinityWeights[kind] ?? 0) * times;
  if (category === null || weight <= 0) return;
  const day = dayOf(stamp.at);
  const days: AffinityDay[] = fragment.state.affinity_days;
  const seen = days.find((entry) => entry.category === category && entry.day === day);
  if (seen) seen.weight += weight;
  else days.push({ category, day, weight });
}

// Firestore refuses these map keys; a trait named so could never be stored.
const reservedKey = (key: string) => key === '' || /^__.*__$/.test(key);

function readTraits(fragment: Profile, traits: Record<string, unknown>, stamp: EventStamp, config: ProfileConfig, trusted: boolean, drop?: DropNote): void {
  for (const [key, value] of Object.entries(traits)) {
    if (reservedKey(key) || value === undefined) continue;
    if (protectedTraits.has(key) && !trusted) {
      drop?.(`traits.${key}`, 'only nudge records suppression; an event from the door cannot set or clear it');
      continue;
    }
    const json = storableJson(value, config.traitMaxChars);
    if (json === undefined) continue;
    Object.defineProperty(fragment.traits, key, { value: json, enumerable: true, writable: true, configurable: true });
    fragment.clocks[`trait:${key}`] = stamp;
  }
}

/**
 * The trait as plain JSON, or undefined when it is too large or has a shape Firestore cannot
 * store (an array directly in an array, reserved keys, deep nesting): such a trait is skipped
 * rather than failing every later write of the profile.
 */
function storableJson(value: unknown, maxChars: number): Profile['traits'][string] | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (text === undefined || text.length > maxChars) return undefined;
  const json = JSON.parse(text) as Profile['traits'][string];
  return storable(json, 0, false) ? json : undefined;
}

function storable(value: unknown, depth: number, inArray: boolean): boolean {
  if (depth > 10) return false;
  if (Array.isArray(value)) return !inArray && value.every((item) => storable(item, depth + 1, true));
  const object = readObject(value);
  if (!object) return true;
  return Object.entries(object).every(([key, item]) => !reservedKey(key) && storable(item, depth + 1, false));
}
