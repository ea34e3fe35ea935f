import type { z } from 'zod';
import type { FieldError } from './dead-letters.ts';
import { maxEventBytes } from './limits.ts';
import { normalize, type NormalizeOptions } from './normalize.ts';
import type { NudgeEvent, SegmentCallType } from './nudge-event.ts';
import { BatchEnvelope, callSchemas, type ParsedSegmentCall } from './segment-schemas.ts';

/** What the body claims to be: one call (from the endpoint path) or a /v1/batch body. */
export type PayloadType = SegmentCallType | 'batch';

export type ValidateOptions = Omit<NormalizeOptions, 'batch'> & {
  /**
   * UTF-8 size of the whole body, when the caller already knows it (the HTTP layer does). For a
   * single call it is the event's size; for a batch no item can exceed maxEventBytes when the
   * whole body does not, so items are then not measured at all. Absent: each event is measured.
   */
  bodyBytes?: number;
};

/** An event that was refused, with its JSON text for the dead-letter store. */
export type RejectedEvent = {
  /** Position in the batch; absent for a single call or when the batch body itself is wrong. */
  index?: number;
  payload: string;
  errors: FieldError[];
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
  const measure = options.bodyBytes === undefined || options.bodyBytes > maxEventBytes;
  const itemOptions: NormalizeOptions = { ...options, batch: { context, sentAt } };
  for (let index = 0; index < batch.length; index++) {
    checkEvent(batch[index], undefined, index, undefined, measure, itemOptions, result);
  }
  return result;
}

/**
 * One event: shape, size, call type, schema, then normalize. `type` undefined means "read it
 * from the item" (batch items). The JSON text is produced at most once and reused as the
 * dead-letter payload.
 */
function checkEvent(
  item: unknown,
  type: SegmentCallType | undefined,
  index: number | undefined,
  knownBytes: number | undefined,
  measure: boolean,
  options: NormalizeOptions,
  result: ValidationResult,
): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    reject(result, index, item, undefined, [fieldError(index, [], 'Expected an event object')]);
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
    reject(result, index, item, json, [
      fieldError(index, [], `Event is ${bytes} bytes; the limit is ${maxEventBytes} bytes (32 KB) per event`),
    ]);
    return;
  }
  const callType = type ?? (item as { type?: unknown }).type;
  if (typeof callType !== 'string' || !callTypes.has(callType)) {
    const unsupported = callType === 'group' ? 'group calls are not supported; ' : '';
    reject(result, index, item, json, [fieldError(index, ['type'], unsupported + typeMessage)]);
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
): void {
  const rejected: RejectedEvent = { payload: json ?? stringifyForDeadLetter(item), errors };
  if (index !== undefined) rejected.index = index;
  result.rejected.push(rejected);
  for (const error of errors) result.errors.push(error);
}

function stringifyForDeadLetter(item: unknown): string {
  try {
    return JSON.stringify(item) ?? String(item);
  } catch {
    return String(item);
  }
}
