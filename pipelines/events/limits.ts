/**
 * Size and time limits of the event contract (DESIGN.md §3), in one place so the HTTP layer
 * (whole body) and validatePayload (each event) enforce the same numbers. Same sizes as
 * Segment's tracking API, so SDKs that already respect them never hit ours.
 */

/** Largest accepted event, measured on its JSON (UTF-8 bytes): 32 KB. */
export const maxEventBytes = 32 * 1024;

/** Largest accepted /v1/batch body (UTF-8 bytes, after gzip is undone): 500 KB. */
export const maxBatchBytes = 500 * 1024;

/**
 * occurred_at is clamped into [received_at − 7 days, received_at + 5 minutes]: a device with a
 * wrong clock must not put events years in the past or future (they would miss journeys,
 * warehouse partitions and the profile's last-writer-wins clocks).
 */
export const maxPastSkewMs = 7 * 24 * 60 * 60 * 1000;
export const maxFutureSkewMs = 5 * 60 * 1000;

/** Alias of maxBatchBytes under the name the collector's body decoder uses. */
export const batchBodyLimitBytes = maxBatchBytes;
