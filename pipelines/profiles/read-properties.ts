import type { ProductDetails } from './profile.ts';
import { roundMicros } from './stamp.ts';

/**
 * Defensive readers for event properties. The collector validates known events, but events also
 * arrive through publishEvent and replays, and a profile must never hold a value of the wrong
 * type (or undefined), so every field is read as "this type or null".
 */

export type ProductRead = { product_id: string; details: ProductDetails; quantity: number | null; currency: string | null };

export function readText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Ids may arrive as numbers; `42` and `"42"` are the same product. */
export function readId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return readText(value);
}

const decimal = /^\s*-?\d+(?:\.\d+)?\s*$/;

function readNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && decimal.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * The largest amount a profile keeps. The collector refuses much smaller ones at the door
 * (events/limits.ts); this bound is for events that reach the fold some other way (replays, old
 * bus messages) and keeps every sum of amounts finite: 1e303 × 1e6 would be Infinity, which JSON
 * stores as null and the next read of the profile would refuse.
 */
export const maxStoredAmount = 1e12;

/** Called for a value an event carried that the profile cannot keep (it is dropped, not stored). */
export type DropNote = (field: string, reason: string) => void;

/** An amount in [0, maxStoredAmount] on a 1e-6 grid (see roundMicros), or null. */
export function readMoney(value: unknown, field?: string, drop?: DropNote): number | null {
  const n = readNumber(value);
  if (n !== null && n >= 0 && n <= maxStoredAmount) return roundMicros(n);
  if (value !== undefined && value !== null && field && drop) drop(field, `not an amount between 0 and ${maxStoredAmount}`);
  return null;
}

/** A whole quantity ≥ 1 (capped, so a typo cannot overflow a sum), or null. */
export function readQuantity(value: unknown): number | null {
  const n = readNumber(value);
  return n === null || !Number.isInteger(n) || n < 1 ? null : Math.min(n, 1_000_000);
}

export function readCurrency(value: unknown): string | null {
  return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null;
}

export function readObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A product as Segment E-commerce v2 describes it: product_id, else sku. */
export function readProduct(value: unknown, field = 'properties', drop?: DropNote): ProductRead | null {
  const product = readObject(value);
  if (!product) return null;
  const productId = readId(product.product_id) ?? readId(product.sku);
  if (productId === null) return null;
  return {
    product_id: productId,
    details: {
      name: readText(product.name),
      price: readMoney(product.price, `${field}.price`, drop),
      image_url: readText(product.image_url),
      url: readText(product.url),
      category: readText(product.category),
    },
    quantity: readQuantity(product.quantity),
    currency: readCurrency(product.currency),
  };
}

/** `products` of a list, cart, checkout or order; null when the event carries no list. */
export function readProducts(value: unknown, drop?: DropNote): ProductRead[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((item, index) => readProduct(item, `properties.products[${index}]`, drop)).filter((product): product is ProductRead => product !== null);
}

/** Whether an event described the product (not just named its id), so its details may replace older ones. */
export function describesProduct(details: ProductDetails): boolean {
  return details.name !== null || details.price !== null;
}
