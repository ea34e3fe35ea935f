import { z } from 'zod';
import type { KnownTrackEventName, trackPropertySchemas } from './commerce-schemas.ts';
import { findTrackPropertySchema } from './commerce-schemas.ts';
import { Email, emailMessage, Flag, isEmailOrEmpty, isPlainObject, JsonObject, MessageId, SegmentId, Text, Timestamp } from './fields.ts';

/**
 * The Segment spec calls (https://segment.com/docs/connections/spec/common/) as nudge accepts
 * them. Objects are loose so fields nudge does not read are kept, not refused; ids may be
 * numbers (coerced to strings); timestamps come out as epoch milliseconds.
 */

/**
 * Call context, kept as sent (not copied: it is the biggest part of most events). Only
 * context.traits.email is checked, because nudge reads the person's email from it.
 */
export const SegmentContext = z.custom<Record<string, unknown>>(isPlainObject, { error: 'Expected an object' }).superRefine((context, ctx) => {
  const traits = context.traits;
  if (traits == null) return;
  if (!isPlainObject(traits)) {
    ctx.addIssue({ code: 'custom', message: 'Expected an object', path: ['traits'], input: traits });
    return;
  }
  if (traits.email != null && !isEmailOrEmpty(traits.email)) {
    ctx.addIssue({ code: 'custom', message: emailMessage, path: ['traits', 'email'], input: traits.email });
  }
});
export type SegmentContext = z.infer<typeof SegmentContext>;

const commonFields = {
  /** Becomes event_id, the dedupe key; generated when absent. */
  messageId: MessageId.nullish(),
  anonymousId: SegmentId.nullish(),
  userId: SegmentId.nullish(),
  timestamp: Timestamp.nullish(),
  originalTimestamp: Timestamp.nullish(),
  sentAt: Timestamp.nullish(),
  context: SegmentContext.nullish(),
  integrations: JsonObject.nullish(),
};

type PersonIds = { anonymousId?: string | null | undefined; userId?: string | null | undefined };

function requirePerson(call: PersonIds, ctx: z.RefinementCtx<unknown>): boolean {
  if (call.anonymousId != null || call.userId != null) return true;
  ctx.addIssue({ code: 'custom', message: 'Required: anonymousId or userId', path: ['userId'], input: call });
  return false;
}

/** properties.email is read as the person's email when traits carry none, so it is checked too. */
function checkPropertiesEmail(properties: Record<string, unknown> | null | undefined, ctx: z.RefinementCtx<unknown>): boolean {
  const email = properties?.email;
  if (email == null || isEmailOrEmpty(email)) return true;
  ctx.addIssue({ code: 'custom', message: emailMessage, path: ['properties', 'email'], input: email });
  return false;
}

/**
 * Identify traits. `email_marketing_consent: true|false` records marketing-email consent (the
 * same fact the `Consent Updated` track event carries).
 */
export const SegmentTraits = z.looseObject({
  email: Email.nullish(),
  email_marketing_consent: Flag.nullish(),
});
export type SegmentTraits = z.infer<typeof SegmentTraits>;

/**
 * A track call. Known e-commerce / nudge event names have their properties checked (errors at
 * `properties.<field>`) and coerced; any other name is accepted as is.
 */
export const TrackCall = z
  .looseObject({ ...commonFields, event: Text.min(1, 'Expected a non-empty event name'), properties: JsonObject.nullish() })
  .transform((call, ctx) => {
    // One pass that reports every problem at once: missing person and bad properties.
    let valid = requirePerson(call, ctx);
    const schema = findTrackPropertySchema(call.event);
    if (schema !== undefined) {
      const parsed = schema.safeParse(call.properties ?? {});
      if (parsed.success) call.properties = parsed.data;
      else {
        for (const issue of parsed.error.issues) {
          ctx.addIssue({ code: 'custom', message: issue.message, path: ['properties', ...issue.path], input: call.properties });
        }
        valid = false;
      }
    }
    valid = checkPropertiesEmail(call.properties, ctx) && valid;
    return valid ? call : z.NEVER;
  });
export type TrackCall = z.infer<typeof TrackCall>;

export const IdentifyCall = z.looseObject({ ...commonFields, traits: SegmentTraits.nullish() }).superRefine((call, ctx) => {
  requirePerson(call, ctx);
});
export type IdentifyCall = z.infer<typeof IdentifyCall>;

const pageFields = { ...commonFields, name: Text.nullish(), category: Text.nullish(), properties: JsonObject.nullish() };

function checkPage(call: z.infer<z.ZodObject<typeof pageFields>>, ctx: z.RefinementCtx<unknown>): void {
  requirePerson(call, ctx);
  checkPropertiesEmail(call.properties, ctx);
}

export const PageCall = z.looseObject(pageFields).superRefine(checkPage);
export type PageCall = z.infer<typeof PageCall>;

/** A mobile screen view; nudge treats it like a page (kind 'page'). */
export const ScreenCall = z.looseObject(pageFields).superRefine(checkPage);
export type ScreenCall = z.infer<typeof ScreenCall>;

/** Alias merges previousId (an anonymous or older id) into userId; both are required. */
export const AliasCall = z.looseObject({ ...commonFields, userId: SegmentId, previousId: SegmentId });
export type AliasCall = z.infer<typeof AliasCall>;

export const callSchemas = {
  track: TrackCall,
  identify: IdentifyCall,
  page: PageCall,
  screen: ScreenCall,
  alias: AliasCall,
} as const;

/**
 * A parsed call, tagged with its call type (from the endpoint for single calls, from the item's
 * `type` in a batch). This is what normalize() takes.
 */
export type ParsedSegmentCall =
  | ({ type: 'track' } & TrackCall)
  | ({ type: 'identify' } & IdentifyCall)
  | ({ type: 'page' } & PageCall)
  | ({ type: 'screen' } & ScreenCall)
  | ({ type: 'alias' } & AliasCall);

/**
 * The body of POST /v1/batch. Items are checked one by one by validatePayload (each needs a
 * `type`), so one bad item does not sink the others; `context` and `sentAt` apply to every item.
 */
export const BatchEnvelope = z.looseObject({
  batch: z.custom<unknown[]>((value) => Array.isArray(value), { error: 'Expected an array of events' }),
  context: SegmentContext.nullish(),
  sentAt: Timestamp.nullish(),
  writeKey: Text.nullish(),
});
export type BatchEnvelope = z.infer<typeof BatchEnvelope>;

// ---- Input types for publishEvent callers (autocompletion and compile-time checks) ----

/** Fields every call may carry, as a caller writes them (ids as string or number, dates or ISO strings). */
export type CommonInput = z.input<z.ZodObject<typeof commonFields>>;

type TrackPropertiesInput<E extends KnownTrackEventName> = z.input<(typeof trackPropertySchemas)[E]>;

/**
 * Any event name: the known ones autocomplete, any other string is allowed (kind 'other').
 * (`string & {}` keeps the literals visible to editors.)
 */
export type TrackEventName = KnownTrackEventName | (string & {});

/** A track call; for a known event name `properties` is typed (required when the event needs some). */
export type TrackInput<E extends string = TrackEventName> = E extends KnownTrackEventName
  ? CommonInput & { type: 'track'; event: E } & (Record<never, never> extends TrackPropertiesInput<E>
        ? { properties?: TrackPropertiesInput<E> | null }
        : { properties: TrackPropertiesInput<E> })
  : CommonInput & { type: 'track'; event: E; properties?: Record<string, unknown> | null };

export type IdentifyInput = CommonInput & { type: 'identify'; traits?: z.input<typeof SegmentTraits> | null };
export type PageInput = CommonInput & { type: 'page'; name?: string | null; category?: string | null; properties?: Record<string, unknown> | null };
export type ScreenInput = CommonInput & { type: 'screen'; name?: string | null; category?: string | null; properties?: Record<string, unknown> | null };
export type AliasInput = CommonInput & { type: 'alias'; userId: string | number; previousId: string | number };

/** One event as publishEvent (or a /v1/batch item) takes it. */
export type SegmentEventInput<E extends string = TrackEventName> = TrackInput<E> | IdentifyInput | PageInput | ScreenInput | AliasInput;
