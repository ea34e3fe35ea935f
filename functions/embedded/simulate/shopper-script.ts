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

/**
 * browsed = viewed products, never added to a cart (the browse follow-up's shopper); ordered =
 * checked out and ordered; abandoned = left items in the cart; waiting = viewed a sold-out product
 * and asked to be told when it is back (Back In Stock Requested), no cart; watching = viewed a
 * product whose price the shop cuts after the shoppers are done, no cart.
 */
export type ShopperOutcome = 'browsed' | 'ordered' | 'abandoned' | 'waiting' | 'watching';

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
  /** waiting: the sold-out product; watching: the product whose price drops; null otherwise. */
  watched_product_id: string | null;
  outcome: ShopperOutcome;
  steps: ScriptStep[];
};

export type SimulationScript = {
  seed: number;
  run_id: string;
  /**
   * Sent before any shopper (server key): the whole catalog as Catalog Updated — name, price,
   * category, brand, tags, stock — so recommendations have material; a few products low on stock
   * (the "only N left" urgency) and the restock products at 0.
   */
  setup: SegmentMessage[];
  shoppers: ShopperPlan[];
  /** Sent after every shopper is done (server key): the restocks and the price cuts. */
  changes: SegmentMessage[];
  /** Products that start sold out and are restocked by `changes`. */
  restocked: string[];
  /** Products whose price `changes` cuts by `priceCutPercent`. */
  dropped: { product_id: string; from: number; to: number }[];
};

export type ScriptOptions = { seed: number; shoppers: number; runId: string };

/**
 * Share of shoppers who put something in a cart, of carts that end in an order, and so on. Cart
 * shoppers identify more often than browsers: logging in or typing an email is part of checkout.
 */
const odds = { cart: 0.6, order: 0.35, identifyWithCart: 0.7, identifyBrowsing: 0.35, identifyBeforeCart: 0.4, consentTrue: 0.5, consentFalse: 0.25, cartViewed: 0.3, stockUpdates: 5, waitingOfBrowsers: 0.25, watchingOfBrowsers: 0.25 } as const;

/**
 * The simulated shop's catalog changes: two products start sold out and come back, two get a price
 * cut of 20% (the shipped price-drop campaign wants at least 10%). They are kept apart from what
 * the other shoppers view and cart, so every journey's audience is exactly the shoppers planned for it.
 */
export const catalogChanges = { restocks: 2, priceCuts: 2, priceCutPercent: 20, inStock: 50 } as const;

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
  const special: SimulatedProduct[] = [];
  while (special.length < catalogChanges.restocks + catalogChanges.priceCuts) {
    const product = random.pick(simulationCatalog);
    if (!special.includes(product)) special.push(product);
  }
  const restocked = special.slice(0, catalogChanges.restocks);
  const dropping = special.slice(catalogChanges.restocks);
  const regular = simulationCatalog.filter((product) => !special.includes(product));
  const lowStock = new Map<string, number>();
  while (lowStock.size < Math.min(odds.stockUpdates, regular.length)) {
    const product = random.pick(regular);
    if (!lowStock.has(product.product_id)) lowStock.set(product.product_id, random.int(1, 4));
  }
  const stockOf = (product: SimulatedProduct) => (restocked.includes(product) ? 0 : (lowStock.get(product.product_id) ?? catalogChanges.inStock));
  const catalogUpdate = (id: string, properties: Record<string, unknown>): SegmentMessage => ({ type: 'track', messageId: `${run}-${id}`, event: 'Catalog Updated', userId: 'catalog-sync', properties });
  const setup = simulationCatalog.map((product) => catalogUpdate(`catalog-${product.product_id}`, { ...productFields(product), tags: product.tags, stock: stockOf(product), currency: simulationCurrency }));

  const shoppers = Array.from({ length: options.shoppers }, (_, index) => planShopper(index + 1, run, random, { regular, restocked, dropping }));
  // Enough stock for every waiter of the product, whatever the campaign's stock factor (≥ 1).
  const restocks = restocked.map((product) => ({ product, stock: 5 + shoppers.filter((shopper) => shopper.watched_product_id === product.product_id).length }));
  const dropped = dropping.map((product) => ({ product_id: product.product_id, from: product.price, to: Math.round(product.price * (100 - catalogChanges.priceCutPercent)) / 100 }));
  const changes = [
    ...restocks.map(({ product, stock }) => catalogUpdate(`restock-${product.product_id}`, { product_id: product.product_id, stock })),
    ...dropped.map((drop) => catalogUpdate(`price-cut-${drop.product_id}`, { product_id: drop.product_id, price: drop.to, currency: simulationCurrency })),
  ];
  return { seed: options.seed, run_id: run, setup, shoppers, changes, restocked: restocked.map((product) => product.product_id), dropped };
}

type ShopProducts = { regular: readonly SimulatedProduct[]; restocked: readonly SimulatedProduct[]; dropping: readonly SimulatedProduct[] };

function planShopper(index: number, run: string, random: Random, products: ShopProducts): ShopperPlan {
  const anonymousId = `anon-${run}-${index}`;
  const carts = random.chance(odds.cart);
  const orders = carts && random.chance(odds.order);
  // Of those who add nothing: some wait for a sold-out product, some watch one whose price will drop.
  const waiting = !carts && random.chance(odds.waitingOfBrowsers);
  const watching = !carts && !waiting && random.chance(odds.watchingOfBrowsers / (1 - odds.waitingOfBrowsers));
  const watched = waiting ? random.pick(products.restocked) : watching ? random.pick(products.dropping) : null;
  // Asking to be told about a restock takes an email; a price watcher is usually a logged-in customer.
  const identifies = waiting || random.chance(carts || watching ? odds.identifyWithCart : odds.identifyBrowsing);
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
  for (let views = random.int(1, 3); views > 0; views--) {
    step(track('Product Viewed', { ...productFields(watched ?? random.pick(products.regular)), currency: simulationCurrency }));
  }
  if (waiting) {
    // The sold-out product page's "tell me when it's back" form: an email, then the request.
    identify();
    step(track('Back In Stock Requested', { product_id: watched!.product_id }));
  } else if (identifies && identifyBeforeCart) identify();

  const cart: { product: SimulatedProduct; quantity: number }[] = [];
  if (cartId) {
    for (let adds = random.int(1, 3); adds > 0; adds--) {
      const product = random.pick(products.regular.filter((candidate) => !cart.some((line) => line.product === candidate)));
      const quantity = random.chance(0.8) ? 1 : 2;
      cart.push({ product, quantity });
      step(track('Product Viewed', { ...productFields(product), currency: simulationCurrency }));
      step(track('Product Added', { cart_id: cartId, ...productFields(product), quantity, currency: simulationCurrency }));
    }
    if (random.chance(odds.cartViewed)) step(track('Cart Viewed', { cart_id: cartId, products: cart.map(cartLine) }));
  }
  if (identifies && !identifyBeforeCart && !waiting) identify();
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
    watched_product_id: watched?.product_id ?? null,
    outcome: waiting ? 'waiting' : watching ? 'watching' : !cartId ? 'browsed' : orders ? 'ordered' : 'abandoned',
    steps,
  };
}

export function productFields(product: SimulatedProduct) {
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
  /** Shoppers who only browsed, waited for a restock, watched a price; and of each, those identified with consent (the emails to expect). */
  browsed: number;
  browsedWithConsent: number;
  /** Shoppers who added nothing to a cart (browsers, waiters, watchers) and gave an address: the browse journey's people. */
  browsersWithAddress: number;
  waiting: number;
  waitingWithConsent: number;
  watching: number;
  watchingWithConsent: number;
  restocks: number;
  priceCuts: number;
};

export function tallyScript(script: SimulationScript): ScriptTally {
  const abandoned = script.shoppers.filter((shopper) => shopper.outcome === 'abandoned');
  const of = (outcome: ShopperOutcome) => script.shoppers.filter((shopper) => shopper.outcome === outcome);
  const withConsent = (shoppers: ShopperPlan[]) => shoppers.filter((shopper) => shopper.email !== null && shopper.consent === true).length;
  return {
    shoppers: script.shoppers.length,
    events: script.setup.length + script.changes.length + script.shoppers.reduce((sum, shopper) => sum + shopper.steps.reduce((n, step) => n + step.events.length, 0), 0),
    carts: script.shoppers.filter((shopper) => shopper.cart_id !== null).length,
    orders: script.shoppers.filter((shopper) => shopper.outcome === 'ordered').length,
    abandoned: abandoned.length,
    abandonedWithConsent: abandoned.filter((shopper) => shopper.email !== null && shopper.consent === true).length,
    abandonedWithoutConsent: abandoned.filter((shopper) => shopper.email !== null && shopper.consent !== true).length,
    abandonedAnonymous: abandoned.filter((shopper) => shopper.email === null).length,
    browsed: of('browsed').length,
    browsedWithConsent: withConsent(of('browsed')),
    browsersWithAddress: [...of('browsed'), ...of('waiting'), ...of('watching')].filter((shopper) => shopper.email !== null).length,
    waiting: of('waiting').length,
    waitingWithConsent: withConsent(of('waiting')),
    watching: of('watching').length,
    watchingWithConsent: withConsent(of('watching')),
    restocks: script.restocked.length,
    priceCuts: script.dropped.length,
  };
}
