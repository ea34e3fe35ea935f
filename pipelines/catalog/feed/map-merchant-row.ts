import { firstValue, type MerchantRow } from './feed-row.ts';

/**
 * Turns a Merchant Center product into `Catalog Updated` properties (docs/catalog.md has the
 * table). Pure: `now` decides whether a sale price is in effect.
 *
 * It never refuses a row itself: a value it cannot read (a price of "cheap", a stock of -1, an
 * unknown availability) is passed on as written in the property it would have filled, so the
 * collector's schema refuses it with its own message, here and again at the collector, which
 * dead-letters the row for `nudge dead-letters`. `fields` says which feed attribute each
 * property came from, so errors name what the shop has to fix.
 */
export type MappedRow = {
  label: string;
  properties: Record<string, unknown>;
  /** property → the feed attribute it was read from (price ← sale_price when the sale is on). */
  fields: Record<string, string>;
  /** The row says in stock but has no quantity: stock is left unset, see needsQuantity. */
  needsQuantity: boolean;
  /** Things worth saying that do not refuse the row (an unreadable sale window). */
  warnings: Array<{ field: string; message: string }>;
  /**
   * When the price read became the one in effect, if a sale window says: its start while the sale
   * is on, its end once it is over (null: no window, or not yet started). The import stamps the row
   * no earlier than this, so re-importing the same file after the sale ended wins over the sale
   * price an earlier import sent.
   */
  priceSince: Date | null;
};

export type MapMerchantOptions = {
  now: Date;
  /** --in-stock-quantity: the stock an in-stock row without a quantity gets; null = none given. */
  inStockQuantity: number | null;
};

/** The most tags the collector accepts (CatalogUpdatedProperties). */
export const maxTags = 32;

const quantityAttributes = ['quantity', 'sell_on_google_quantity'] as const;

export function mapMerchantRow(row: MerchantRow, options: MapMerchantOptions): MappedRow {
  const properties: Record<string, unknown> = {};
  const fields: Record<string, string> = {};
  const warnings: MappedRow['warnings'] = [];
  const set = (property: string, value: unknown, attribute: string) => {
    properties[property] = value;
    fields[property] = attribute;
  };

  const id = firstValue(row, 'id');
  if (id !== null) set('product_id', id, 'id');
  else fields.product_id = 'id';

  const title = firstValue(row, 'title');
  if (title !== null) set('name', title, 'title');

  const price = readPrice(row, options.now, warnings);
  const priceSince = price?.since ?? null;
  if (price) {
    set('price', price.amount, price.attribute);
    if (price.currency !== null) set('currency', price.currency, price.attribute);
  }

  const link = firstValue(row, 'link');
  if (link !== null) set('url', link, 'link');
  const image = firstValue(row, 'image_link');
  if (image !== null) set('image_url', image, 'image_link');

  const productTypes = allValues(row, 'product_type');
  const googleCategory = firstValue(row, 'google_product_category');
  if (productTypes.length > 0) set('category', productTypes[0], 'product_type');
  else if (googleCategory !== null) set('category', googleCategory, 'google_product_category');

  const brand = firstValue(row, 'brand');
  if (brand !== null) set('brand', brand, 'brand');

  const tags = tagsOf(row, productTypes);
  if (tags.length > 0) set('tags', tags, 'custom_label_0..4, product_type');

  let needsQuantity = false;
  const availability = firstValue(row, 'availability');
  if (availability !== null) {
    const stock = readStock(row, availability, options.inStockQuantity);
    if (stock === 'needs-quantity') needsQuantity = true;
    else set('stock', stock.value, stock.attribute);
  }
  return { label: row.label, properties, fields, needsQuantity, warnings, priceSince };
}

type Price = { amount: unknown; currency: string | null; attribute: string; since: Date | null };

/** "129.00 EUR" → 129 and EUR; a sale_price in effect now wins over price. */
function readPrice(row: MerchantRow, now: Date, warnings: MappedRow['warnings']): Price | null {
  const sale = firstValue(row, 'sale_price');
  let since: Date | null = null;
  if (sale !== null) {
    const text = firstValue(row, 'sale_price_effective_date');
    const window = text === null ? null : readSaleWindow(text);
    if (text !== null && window === null) warnings.push({ field: 'sale_price_effective_date', message: `expected two ISO 8601 times separated by "/", got "${text}"; the regular price is used` });
    const t = now.getTime();
    if (text === null || (window !== null && window.start <= t && t < window.end)) {
      return { ...splitPrice(sale), attribute: 'sale_price', since: window === null ? null : new Date(window.start) };
    }
    if (window !== null && window.end <= t) since = new Date(window.end);
  }
  const regular = firstValue(row, 'price');
  return regular === null ? null : { ...splitPrice(regular), attribute: 'price', since };
}

/**
 * "129.00 EUR" → { amount: 129, currency: 'EUR' }; "2500" → no currency. Anything else is passed
 * on as written, for the schema to refuse with its message (never guessed at: "1,299" could be
 * a thousand or one).
 */
export function splitPrice(text: string): { amount: unknown; currency: string | null } {
  const match = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z]{3})?$/.exec(text.trim());
  // Four hundred digits are a number JSON cannot carry (Infinity is sent as null): kept as written.
  if (!match || !Number.isFinite(Number(match[1]))) return { amount: text, currency: null };
  return { amount: Number(match[1]), currency: match[2] ? match[2].toUpperCase() : null };
}

/**
 * Whether `now` is inside "start/end" (ISO 8601, as Merchant Center writes it:
 * 2026-02-24T13:00-0800/2026-02-29T15:30-0800). A date without a time starts at 00:00 UTC, and
 * as an end date lasts until the end of that day. null when the text is not such a window.
 */
export function saleWindowIncludes(window: string, now: Date): boolean | null {
  const read = readSaleWindow(window);
  if (read === null) return null;
  const t = now.getTime();
  return read.start <= t && t < read.end;
}

/** "start/end" as epoch milliseconds [start, end); null when unreadable. */
function readSaleWindow(window: string): { start: number; end: number } | null {
  const parts = window.split('/');
  if (parts.length !== 2) return null;
  const start = readInstant(parts[0]!, 'start');
  const end = readInstant(parts[1]!, 'end');
  if (start === null || end === null || end < start) return null;
  return { start, end };
}

function readInstant(text: string, edge: 'start' | 'end'): number | null {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const day = Date.parse(`${trimmed}T00:00:00Z`);
    return Number.isNaN(day) ? null : edge === 'start' ? day : day + 24 * 60 * 60 * 1000;
  }
  // Date.parse wants "+01:00"; Merchant Center also writes "+0100".
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (!match) return null;
  const zone = match[2] === undefined ? 'Z' : match[2] === 'Z' ? 'Z' : `${match[2].slice(0, 3)}:${match[2].slice(-2)}`;
  const ms = Date.parse(`${match[1]}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

type Stock = { value: unknown; attribute: string };

/**
 * out_of_stock → 0 whatever the quantity says. in_stock, preorder, backorder → the quantity
 * column when there is one. Without one, preorder and backorder → 0 (not buyable now, so a later
 * in_stock is a restock), and in_stock → --in-stock-quantity, or 'needs-quantity': back-in-stock
 * compares stock, and a made-up number would hide the next restock.
 */
function readStock(row: MerchantRow, availability: string, inStockQuantity: number | null): Stock | 'needs-quantity' {
  // "in stock" (with a space) is the older spelling, still common in XML feeds.
  const state = availability.toLowerCase().replace(/[\s-]+/g, '_');
  if (state === 'out_of_stock') return { value: 0, attribute: 'availability' };
  if (state !== 'in_stock' && state !== 'preorder' && state !== 'backorder') {
    // Passed on as written: the schema refuses a stock that is not a number.
    return { value: availability, attribute: 'availability' };
  }
  for (const attribute of quantityAttributes) {
    const quantity = firstValue(row, attribute);
    // Not a whole number, or too long for a finite one: passed on as written, for the schema to refuse.
    if (quantity !== null) return { value: /^-?\d+$/.test(quantity) && Number.isFinite(Number(quantity)) ? Number(quantity) : quantity, attribute };
  }
  if (state !== 'in_stock') return { value: 0, attribute: 'availability' };
  return inStockQuantity === null ? 'needs-quantity' : { value: inStockQuantity, attribute: 'availability (--in-stock-quantity)' };
}

/** custom_label_0..4, then the segments of every product_type path; trimmed, deduplicated, at most maxTags. */
function tagsOf(row: MerchantRow, productTypes: readonly string[]): string[] {
  const tags: string[] = [];
  const add = (tag: string) => {
    const trimmed = tag.trim();
    if (trimmed !== '' && !tags.includes(trimmed)) tags.push(trimmed);
  };
  for (let i = 0; i <= 4; i++) for (const label of allValues(row, `custom_label_${i}`)) add(label);
  for (const path of productTypes) for (const segment of path.split('>')) add(segment);
  return tags.slice(0, maxTags);
}

function allValues(row: MerchantRow, attribute: string): string[] {
  return (row.attributes.get(attribute) ?? []).map((value) => value.trim()).filter((value) => value !== '');
}
