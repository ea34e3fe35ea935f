/**
 * Size, shape, number and time limits of the event contract (DESIGN.md §3), in one place so the
 * HTTP layer (whole body) and validatePayload (each event) enforce the same numbers. Sizes are
 * Segment's tracking API's, so SDKs that already respect them never hit ours.
 */

/** Largest accepted event, measured on its JSON (UTF-8 bytes): 32 KB. */
export const maxEventBytes = 32 * 1024;

/** Largest accepted /v1/batch body (UTF-8 bytes, after gzip is undone): 500 KB. */
export const maxBatchBytes = 500 * 1024;

/**
 * Largest body of a single call (/v1/track, /v1/identify, …), on the wire and once inflated.
 * Twice the event limit: an event a little over 32 KB is still read, answered 413 with its field
 * error and dead-lettered (README: refused input is kept); anything larger is refused unread.
 */
export const maxSingleCallBodyBytes = 2 * maxEventBytes;

/**
 * Largest body read before the sender is authenticated, i.e. when the write key is not in the
 * Authorization header but in the body (analytics.js). 64 KB covers every analytics.js request
 * (one event each, or keepalive batches, which browsers cap at 64 KB); a larger batch must carry
 * its key in the header, as every server SDK does. Keeps strangers from making the host buffer
 * half a megabyte each.
 */
export const maxUnauthenticatedBodyBytes = 64 * 1024;

/**
 * Deepest nesting of objects/arrays inside one event (the event object itself is level 0,
 * `properties` level 1). Real events use 3–5 levels; thousands of levels (a few KB of `[[[[`)
 * overflow the stack of JSON.stringify and of every recursive reader downstream.
 */
export const maxJsonDepth = 32;

/**
 * Bounds of the numbers nudge reads (prices, totals, quantities, stock). A number outside them is
 * a bug or an attack, never a real shop: 1e303 would turn into Infinity when summed into a
 * profile and into null on the JSON round trip. Money ≤ 1e9 leaves room for any order total in
 * any currency (even in currencies with tiny units) while sums of thousands of such values stay
 * exact to the cent in a double. Quantities and stock are whole numbers well inside 2^53.
 */
export const numberLimits = {
  /** price, total, revenue, subtotal, tax, shipping, discount, value: 0 ≤ x ≤ 1e9. */
  maxMoney: 1e9,
  /** A line quantity: 1 … 1e6 units. */
  maxQuantity: 1e6,
  /** Units in stock: 0 … 1e9. */
  maxStock: 1e9,
} as const;

/**
 * occurred_at is clamped into [received_at − 7 days, received_at]: a device with a wrong clock
 * must not put events years in the past (they would miss journeys, warehouse partitions and the
 * profile's last-writer-wins clocks), and nothing can have happened after nudge received it — a
 * device clock a minute fast must not make a later server-side order look older than the cart.
 */
export const maxPastSkewMs = 7 * 24 * 60 * 60 * 1000;
export const maxFutureSkewMs = 0;

/** Alias of maxBatchBytes under the name the collector's body decoder uses. */
export const batchBodyLimitBytes = maxBatchBytes;

/**
 * Largest payload kept in a dead letter. Refused input is kept as sent, but a body that is not
 * JSON (or cannot be serialised) is only text to a human reading `nudge dead-letters`; above this
 * it is cut, and the reason says so.
 */
export const maxDeadLetterPayloadChars = maxBatchBytes;
