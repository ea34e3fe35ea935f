/** The event contract: schemas, normalization, validation, routing, bus encoding, publishEvent. */
export * from './nudge-event.ts';
export * from './topics.ts';
export type * from './bus.ts';
export * from './dead-letters.ts';
export * from './limits.ts';
export * from './commerce-schemas.ts';
export * from './segment-schemas.ts';
export { normalize, occurredAtOf, clampOccurredAt, spreadTiedOccurredAt, type NormalizeOptions } from './normalize.ts';
export * from './validate-payload.ts';
export * from './to-dead-letters.ts';
export * from './route.ts';
export * from './encode-message.ts';
export * from './publish-event.ts';
export { Money, Quantity, Stock, SegmentId, Timestamp, Email, Currency } from './fields.ts';
