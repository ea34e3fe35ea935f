import { z } from 'zod';
import { numberLimits } from './limits.ts';

/**
 * Field schemas shared by the Segment call schemas and the e-commerce property schemas.
 * Most are `z.custom(check).transform(convert)` rather than unions: one type test per value,
 * no intermediate union issues, and a message a shop developer can act on (ingest runs at
 * 50k events/s, and every error is shown to whoever sent the event).
 */

type Issue = { input?: unknown };

/** "Required: <what>" when the field is missing, else "Expected <what>". */
function expected(what: string) {
  return (issue: Issue) => (issue.input === undefined ? `Required: ${what}` : `Expected ${what}`);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Any JSON object, kept as is (no copy: it is the sender's free-form data). */
export const JsonObject = z.custom<Record<string, unknown>>(isPlainObject, { error: expected('an object') });

const isId = (value: unknown): value is string | number =>
  (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value));

// In a /u regex a well-formed surrogate pair is one code point, so \p{Cs} only matches a lone half.
const loneSurrogate = /\p{Cs}/u;
const unicodeMessage = 'Expected valid Unicode text: the id contains a lone UTF-16 surrogate';

/**
 * A lone surrogate is not text: UTF-8 encoders (SQLite, DuckDB, BigQuery, Pub/Sub) replace it with
 * U+FFFD, so two ids differing only there would silently become one row, one person, one event.
 */
function toIdString(value: string | number, ctx: z.RefinementCtx<string | number>): string {
  if (typeof value !== 'string') return String(value);
  if (loneSurrogate.test(value)) {
    ctx.issues.push({ code: 'custom', message: unicodeMessage, input: value });
    return z.NEVER;
  }
  return value;
}

/**
 * An identifier (userId, anonymousId, product_id, order_id, …). Segment SDKs and shop backends
 * sometimes send numbers; nudge keeps every id as a string so `42` and `"42"` are one person.
 */
export const SegmentId = z.custom<string | number>(isId, { error: expected('a non-empty string or a number') }).transform(toIdString);

/** messageId becomes event_id, which the warehouse and dedupe keys cap at 200 characters. */
export const MessageId = z
  .custom<string | number>((value) => isId(value) && String(value).length <= 200, {
    error: expected('a non-empty string or a number of at most 200 characters'),
  })
  .transform(toIdString);

// An instant with a zone. Local times ("2026-01-01T10:00:00") are refused: parsed as the
// server's local time they would silently shift by hours.
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const timestampMessage = 'Expected an ISO-8601 timestamp with a time zone, e.g. 2026-01-01T10:00:00.000Z';

/** ISO-8601 string (JSON) or Date (publishEvent callers), parsed to epoch milliseconds. */
export const Timestamp = z.custom<string | Date>().transform((value, ctx) => {
  const ms = typeof value === 'string' ? (isoInstant.test(value) ? Date.parse(value) : NaN) : value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(ms)) {
    ctx.issues.push({ code: 'custom', message: timestampMessage, input: value });
    return z.NEVER;
  }
  return ms;
});

const decimal = /^\s*-?\d+(?:\.\d+)?\s*$/;

/**
 * A number that shops often send as a string ("19.99"): decimal strings are coerced, anything
 * else (hex, exponents, "", "abc") is refused rather than guessed.
 */
function numeric(options: { min: number; max: number; integer: boolean; description: string }) {
  return z.custom<number | string>().transform((value, ctx) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && decimal.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < options.min || n > options.max || (options.integer && !Number.isInteger(n))) {
      ctx.issues.push({ code: 'custom', message: options.description, input: value });
      return z.NEVER;
    }
    return n;
  });
}

const { maxMoney, maxQuantity, maxStock } = numberLimits;

/** Prices and order amounts: 0 … 1e9 (limits.ts says why). */
export const Money = numeric({
  min: 0,
  max: maxMoney,
  integer: false,
  description: `Expected a number ≥ 0 and ≤ ${maxMoney} (a numeric string like "19.99" is accepted)`,
});
/** A line quantity: whole number 1 … 1e6. */
export const Quantity = numeric({ min: 1, max: maxQuantity, integer: true, description: `Expected a whole number ≥ 1 and ≤ ${maxQuantity}` });
/** Units in stock: whole number 0 … 1e9. */
export const Stock = numeric({ min: 0, max: maxStock, integer: true, description: `Expected a whole number ≥ 0 and ≤ ${maxStock}` });

/** ISO 4217 code, upper-cased so "eur" and "EUR" group together. */
export const Currency = z
  .custom<string>((value) => typeof value === 'string' && /^[A-Za-z]{3}$/.test(value), {
    error: expected('a 3-letter ISO 4217 currency code, e.g. EUR'),
  })
  .transform((value) => value.toUpperCase());

export const Text = z.string({ error: expected('a string') });

export const Flag = z.boolean({ error: expected('true or false') });

// Deliberately loose: the ESP is the real judge of deliverability; this only catches values
// that are clearly not an address (a name, a number, "n/a").
const emailShape = /^[^\s@]+@[^\s@]+$/;

export const emailMessage = 'Expected an email address like name@example.com';

/** A string that looks like an email address, or "" (forms send it for "none"); spaces around are ignored. */
export function isEmailOrEmpty(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  return trimmed === '' || emailShape.test(trimmed);
}

/**
 * An email address where nudge reads one (traits.email, context.traits.email, properties.email).
 * Trimmed; "" means "none"; lower-casing happens when it becomes the event's email.
 */
export const Email = z.custom<string>().transform((value, ctx) => {
  if (!isEmailOrEmpty(value)) {
    ctx.issues.push({ code: 'custom', message: emailMessage, input: value });
    return z.NEVER;
  }
  return value.trim();
});
