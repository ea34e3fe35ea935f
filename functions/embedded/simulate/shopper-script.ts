import { simulationCatalog, simulationCategories, simulationCurrency, simulationNames, simulationSearches, simulationShopUrl, type SimulatedProduct } from './simulation-catalog.ts';

/**
 * What `nudge simulate` will do, decided up front and without I/O: every shopper's steps as the
 * Segment calls a storefront would send. Pure: the same seed, shopper count and run id give the
 * same script, event for event (message ids included), so a demo and its test are repeatable.
 * Timestamps are left to the sender (the collector stamps receipt); only relative pauses are here.
 */
export type SegmentMessage = { type: 'track' | 'identify' | 'page'; messageId: string } & Record<string, unknown>;

/** One burst of calls, then a pause of `pause` × the --pace before the next step. */
export type ScriptStep = { pause: number; events: SegmentMessage[] };

/** browsed = never added to a cart; ordered = checked out and ordered; abandoned = left items in the cart. */
export type ShopperOutcome = 'browsed' | 'ordered' | 'abandoned';

export type ShopperPlan = {
  index: number;
  anonymous_id: string;
  /** Set when the shopper identifies (logs in or types an email at checkout). */
  user_id: string | null;
  email: string | null;
  /** The email_marketing_consent trait sent with identify; null = identified without it (or not identified). */
  consent: boolean | null;
  cart_id: string | null;
  product_ids: string[];
  outcome: ShopperOutcome;
  steps: ScriptStep[];
};

export type SimulationScript = {
  seed: number;
  run_id: string;
  /** Sent before any shopper: live stock for a few products (drives the "only N left" urgency). */
  setup: SegmentMessage[];
  shoppers: ShopperPlan[];
};

export type ScriptOptions = { seed: number; shoppers: number; runId: string };

/**
 * Share of shoppers who put something in a cart, of carts that end in an order, and so on. Cart
 * shoppers identify more often than browsers: logging in or typing an email is part of checkout.
 */
const odds = { cart: 0.6, order: 0.35, identifyWithCart: 0.7, identifyBrowsing: 0.35, identifyBeforeCart: 0.4, consentTrue: 0.5, consentFalse: 0.25, cartViewed: 0.3, stockUpdates: 5 } as const;

/**
 * mulberry32: a 32-bit seeded PRNG in five lines. Hand-written because Math.random cannot be
 * seeded and no runtime dependency offers one (pure-rand is only a transitive dev dependency of
 * fast-check); the demo needs repeatability, not statistical quality.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = {
  chance: (p: number) => boolean;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  /** Pause factor between steps: 0.5–1.5 × pace. */
  pause: () => number;
};

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    chance: (p) => next() < p,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    pause: () => Math.round((0.5 + next()) * 100) / 100,
  };
}

export function buildSimulationScript(options: ScriptOptions): SimulationScript {
  const random = createRandom(options.seed);
  const run = options.runId;
  const setup: SegmentMessage[] = [];
  const restocked = new Set<string>();
  while (restocked.size < Math.min(odds.stockUpdates, simulationCatalog.length)) restocked.add(random.pick(simulationCatalog).product_id);
  for (const productId of [...restocked].sort()) {
    setup.push({
      type: 'track',
      messageId: `${run}-catalog-${productId}`,
      event: 'Catalog Updated',
      userId: 'catalog-sync',
      properties: { product_id: productId, stock: random.int(1, 4), currency: simulationCurrency },
    });
  }
  const shoppers = Array.from({ length: options.shoppers }, (_, index) => planShopper(index + 1, run, random));
  return { seed: options.seed, run_id: run, setup, shoppers };
}

function planShopper(index: number, run: string, random: Random): ShopperPlan {
  const anonymousId = `anon-${run}-${index}`;
  const carts = random.chance(odds.cart);
  const orders = carts && random.chance(odds.order);
  const identifies = random.chance(carts ? odds.identifyWithCart : odds.identifyBrowsing);
  const [first, last] = random.pick(simulationNames);
  const userId = identifies ? `user-${run}-${index}` : null;
  const email = identifies ? `${ascii(first)}.${ascii(last)}.${index}+${run}@example.com`.toLowerCase() : null;
  const consentRoll = random.chance(odds.consentTrue) ? true : random.chance(odds.consentFalse / (1 - odds.consentTrue)) ? false : null;
  const consent = identifies ? consentRoll : null;
  const cartId = carts ? `cart-${run}-${index}` : null;
  const identifyBeforeCart = random.chance(odds.identifyBeforeCart);

  let counter = 0;
  let known = false;
  const steps: ScriptStep[] = [];
  const ids = () => ({ anonymousId, ...(known && userId ? { userId } : {}) });
  const message = (body: Omit<SegmentMessage, 'messageId'>): SegmentMessage => ({ ...body, messageId: `${run}-${index}-${++counter}` }) as SegmentMessage;
  const step = (...events: Omit<SegmentMessage, 'messageId'>[]) => steps.push({ pause: random.pause(), events: events.map(message) });
  const track = (event: string, properties: Record<string, unknown>) => ({ type: 'track' as const, event, ...ids(), properties });
  const identify = () => {
    known = true;
    step({
      type: 'identify',
      ...ids(),
      traits: { email, first_name: first, last_name: last, ...(consent === null ? {} : { email_marketing_consent: consent }) },
    });
  };

  step({ type: 'page', ...ids(), name: 'Home', properties: { path: '/', url: `${simulationShopUrl}/`, title: 'Nudge Shop' } });
  if (random.chance(0.5)) step(track('Products Searched', { query: random.pick(simulationSearches) }));
  if (random.chance(0.5)) {
    const category = random.pick(simulationCategories);
    const listed = simulationCatalog.filter((product) => product.category === category);
    step(track('Product List Viewed', { list_id: category.toLowerCase(), category, products: listed.map((product, position) => ({ ...productFields(product), position: position + 1 })) }));
  }
  for (let views = random.int(1, 3); views > 0; views--) step(track('Product Viewed', { ...productFields(random.pick(simulationCatalog)), currency: simulationCurrency }));
  if (identifies && identifyBeforeCart) identify();

  const cart: { product: SimulatedProduct; quantity: number }[] = [];
  if (cartId) {
    for (let adds = random.int(1, 3); adds > 0; adds--) {
      const product = random.pick(simulationCatalog.filter((candidate) => !cart.some((line) => line.product === candidate)));
      const quantity = random.chance(0.8) ? 1 : 2;
      cart.push({ product, quantity });
      step(track('Product Viewed', { ...productFields(product), currency: simulationCurrency }));
      step(track('Product Added', { cart_id: cartId, ...productFields(product), quantity, currency: simulationCurrency }));
    }
    if (random.chance(odds.cartViewed)) step(track('Cart Viewed', { cart_id: cartId, products: cart.map(cartLine) }));
  }
  if (identifies && !identifyBeforeCart) identify();
  if (cartId && orders) {
    const total = cart.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
    const order = { cart_id: cartId, value: total, currency: simulationCurrency, products: cart.map(cartLine) };
    step(track('Checkout Started', { ...order, checkout_id: `checkout-${run}-${index}` }));
    step(track('Order Completed', { ...order, order_id: `order-${run}-${index}`, total, revenue: total }));
  }
  return {
    index,
    anonymous_id: anonymousId,
    user_id: userId,
    email,
    consent,
    cart_id: cartId,
    product_ids: cart.map((line) => line.product.product_id),
    outcome: !cartId ? 'browsed' : orders ? 'ordered' : 'abandoned',
    steps,
  };
}

function productFields(product: SimulatedProduct) {
  return { product_id: product.product_id, sku: product.sku, name: product.name, price: product.price, category: product.category, brand: product.brand, url: product.url, image_url: product.image_url };
}

function cartLine(line: { product: SimulatedProduct; quantity: number }) {
  return { ...productFields(line.product), quantity: line.quantity };
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[^\x20-\x7e]/g, '');
}

/** What the script should lead to, for the summary and for tests to compare against the warehouse. */
export type ScriptTally = {
  shoppers: number;
  events: number;
  carts: number;
  orders: number;
  abandoned: number;
  /** Abandoned carts by what the decision will see: an email with consent, without it, or no email at all. */
  abandonedWithConsent: number;
  abandonedWithoutConsent: number;
  abandonedAnonymous: number;
};

export function tallyScript(script: SimulationScript): ScriptTally {
  const abandoned = script.shoppers.filter((shopper) => shopper.outcome === 'abandoned');
  return {
    shoppers: script.shoppers.length,
    events: script.setup.length + script.shoppers.reduce((sum, shopper) => sum + shopper.steps.reduce((n, step) => n + step.events.length, 0), 0),
    carts: script.shoppers.filter((shopper) => shopper.cart_id !== null).length,
    orders: script.shoppers.filter((shopper) => shopper.outcome === 'ordered').length,
    abandoned: abandoned.length,
    abandonedWithConsent: abandoned.filter((shopper) => shopper.email !== null && shopper.consent === true).length,
    abandonedWithoutConsent: abandoned.filter((shopper) => shopper.email !== null && shopper.consent !== true).length,
    abandonedAnonymous: abandoned.filter((shopper) => shopper.email === null).length,
  };
}
