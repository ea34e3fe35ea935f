import type { z } from 'zod';
import { shopEventNames } from './commerce-schemas.ts';
import { serialiseForDeadLetter } from './dead-letter-payload.ts';
import type { FieldError } from './dead-letters.ts';
import { findTooDeep, isCircularPath } from './find-too-deep.ts';
import { maxEventBytes, maxJsonDepth } from './limits.ts';
import { normalize, spreadTiedOccurredAt, type NormalizeOptions } from './normalize.ts';
import type { NudgeEvent, SegmentCallType } from './nudge-event.ts';
import { BatchEnvelope, callSchemas, type ParsedSegmentCall } from './segment-schemas.ts';
import { checkCatalogLinks } from '../catalog/check-catalog-links.ts';

/** What the body claims to be: one call (from the endpoint path) or a /v1/batch body. */
export type PayloadType = SegmentCallType | 'batch';

export type ValidateOptions = Omit<NormalizeOptions, 'batch'> & {
  /**
   * UTF-8 size of the whole body, when the caller already knows it (the HTTP layer does). For a
   * single call it is the event's size; for a batch no item can exceed maxEventBytes when the
   * whole body does not, so items are then not measured at all. Absent: each event is measured.
   */
  bodyBytes?: number;
  /**
   * The sender holds a server write key, or is the shop's own code (publishEvent): it may send
   * events that speak for the shop (`Catalog Updated`). Absent/false: those are refused.
   */
  serverKey?: boolean;
  /** The shop's domains: catalog url/image_url must be on one of them. Absent: not checked here. */
  shopHosts?: readonly string[];
};

/**
 * Why an event was refused, for the HTTP answer of a single call: 400 (invalid), 413 (too large),
 * 403 (an event only a server key may send).
 */
export type Refusal = 'invalid' | 'too_large' | 'forbidden';

/** An event that was refused, with its JSON text for the dead-letter store. */
export type RejectedEvent = {
  /** Position in the batch; absent for a single call or when the batch body itself is wrong. */
  index?: number;
  payload: string;
  errors: FieldError[];
  /** Absent means 'invalid'. */
  refusal?: Refusal;
};

export type ValidationResult = {
  /** Valid events, normalized, in input order. */
  events: NudgeEvent[];
  /** Every field error of every rejected event (the `errors` of the HTTP answer). */
  errors: FieldError[];
  rejected: RejectedEvent[];
};

const callTypes = new Set<string>(Object.keys(callSchemas));
const typeMessage = `Expected type to be one of ${[...callTypes].join(', ')}`;

/**
 * Checks a parsed JSON body against the Segment spec and nudge's limits and normalizes every
 * valid event. Valid items of a batch are kept even when others fail; nothing is thrown for bad
 * input. Pure: no I/O, time and ids come from the options.
 */
export function validatePayload(payload: unknown, type: PayloadType, options: ValidateOptions): ValidationResult {
  const result: ValidationResult = { events: [], errors: [], rejected: [] };
  if (type !== 'batch') {
    checkEvent(payload, type, undefined, options.bodyBytes, true, options, result);
    return result;
  }
  const envelope = BatchEnvelope.safeParse(payload);
  if (!envelope.success) {
    reject(result, undefined, payload, undefined, envelope.error.issues.map((issue) => fieldError(undefined, issue.path, issue.message)));
    return result;
  }
  const { batch, context, sentAt } = envelope.data;
  // The batch context becomes every event's context: it must fit the same depth (as level 1).
  const deepContext = context == null ? null : findTooDeep(context, maxJsonDepth - 1);
  if (deepContext !== null) {
    reject(result, undefined, payload, undefined, [fieldError(undefined, ['context', ...deepContext], tooDeepMessage)]);
    return result;
  }
  const measure = options.bodyBytes === undefined || options.bodyBytes > maxEventBytes;
  const itemOptions: ValidateOptions & NormalizeOptions = { ...options, batch: { context, sentAt } };
  for (let index = 0; index < batch.length; index++) {
    checkEvent(batch[index], undefined, index, undefined, measure, itemOptions, result);
  }
  spreadTiedOccurredAt(result.events);
  return result;
}

const tooDeepMessage = `Nested deeper than ${maxJsonDepth} levels of objects/arrays; flatten this value`;

/**
 * One event: shape, depth, size, call type, who may send it, schema, catalog links, then
 * normalize. `type` undefined means "read it from the item" (batch items). The JSON text is
 * produced at most once and reused as the dead-letter payload.
 */
function checkEvent(
  item: unknown,
  type: SegmentCallType | undefined,
  index: number | undefined,
  knownBytes: number | undefined,
  measure: boolean,
  options: ValidateOptions & NormalizeOptions,
  result: ValidationResult,
): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    reject(result, index, item, undefined, [fieldError(index, [], 'Expected an event object')]);
    return;
  }
  // Before anything serialises or recurses into it: thousands of levels overflow the stack.
  const deep = findTooDeep(item, maxJsonDepth);
  if (deep !== null) {
    const error = isCircularPath(item, deep)
      ? fieldError(index, [], `Event is not JSON-serialisable (circular reference at ${deep.join('.')})`)
      : fieldError(index, deep, tooDeepMessage);
    reject(result, index, item, undefined, [error]);
    return;
  }
  let json: string | undefined;
  let bytes = knownBytes;
  if (bytes === undefined && measure) {
    try {
      json = JSON.stringify(item);
    } catch (error) {
      reject(result, index, item, undefined, [fieldError(index, [], `Event is not JSON-serialisable (${(error as Error).message})`)]);
      return;
    }
    bytes = utf8BytesIfLarge(json);
  }
  if (bytes !== undefined && bytes > maxEventBytes) {
    const message = `Event is ${bytes} bytes; the limit is ${maxEventBytes} bytes (32 KB) per event`;
    reject(result, index, item, json, [fieldError(index, [], message)], 'too_large');
    return;
  }
  const callType = type ?? (item as { type?: unknown }).type;
  if (typeof callType !== 'string' || !callTypes.has(callType)) {
    const unsupported = callType === 'group' ? 'group calls are not supported; ' : '';
    reject(result, index, item, json, [fieldError(index, ['type'], unsupported + typeMessage)]);
    return;
  }
  const eventName = (item as { event?: unknown }).event;
  if (callType === 'track' && typeof eventName === 'string' && shopEventNames.has(eventName) && options.serverKey !== true) {
    const message = `"${eventName}" speaks for the shop and needs a server write key (NUDGE_SERVER_WRITE_KEYS), not a browser key`;
    reject(result, index, item, json, [fieldError(index, ['event'], message)], 'forbidden');
    return;
  }
  const schema: z.ZodType = callSchemas[callType as SegmentCallType];
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    reject(result, index, item, json, parsed.error.issues.map((issue) => fieldError(index, issue.path, issue.message)));
    return;
  }
  const call = parsed.data as ParsedSegmentCall;
  // The endpoint (or the batch item's type) decides the call type, not a stray body field.
  call.type = callType as SegmentCallType;
  if (call.type === 'track' && options.shopHosts !== undefined && call.event === 'Catalog Updated' && call.properties) {
    const linkErrors = checkCatalogLinks(call.properties, options.shopHosts);
    if (linkErrors.length > 0) {
      reject(result, index, item, json, linkErrors.map((error) => (index === undefined ? error : { index, ...error })));
      return;
    }
  }
  result.events.push(normalize(call, options));
}

/**
 * UTF-8 size of a JSON text, computed only when it could matter: a UTF-16 code unit is at most
 * 3 UTF-8 bytes, so a text of ≤ maxEventBytes/3 units is within the limit without counting.
 */
function utf8BytesIfLarge(json: string): number {
  return json.length * 3 <= maxEventBytes ? json.length : Buffer.byteLength(json, 'utf8');
}

function fieldError(index: number | undefined, path: readonly PropertyKey[], message: string): FieldError {
  const error: FieldError = { path: path.map(String).join('.'), message };
  if (index !== undefined) error.index = index;
  return error;
}

function reject(
  result: ValidationResult,
  index: number | undefined,
  item: unknown,
  json: string | undefined,
  errors: FieldError[],
  refusal?: Refusal,
): void {
  const rejected: RejectedEvent = { payload: json ?? serialiseForDeadLetter(item), errors };
  if (index !== undefined) rejected.index = index;
  if (refusal !== undefined && refusal !== 'invalid') rejected.refusal = refusal;
  result.rejected.push(rejected);
  for (const error of errors) result.errors.push(error);
}
