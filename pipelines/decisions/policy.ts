import { z } from 'zod';
import { isValidTimeZone } from './local-time.ts';

/**
 * The rules every send is judged by (DESIGN.md §1, "decide"). Plain data with defaults, so a
 * config file or a campaign definition can override any part: `DecisionPolicy.parse({})` is the
 * default policy.
 */

/** A local wall-clock time `HH:MM` (24-hour). */
export const LocalClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Expected a 24-hour time HH:MM, e.g. 21:00');
export type LocalClockTime = z.infer<typeof LocalClockTime>;

/** An IANA time zone name the runtime knows (Europe/Berlin, America/New_York, UTC, ...). */
export const TimeZoneName = z.string().refine(isValidTimeZone, 'Expected an IANA time zone name, e.g. Europe/Berlin');

/**
 * No marketing email while the person's local clock reads [start, end). start > end wraps past
 * midnight (21:00–08:00); start = end means no quiet hours at all.
 */
export const QuietHours = z.object({ start: LocalClockTime, end: LocalClockTime });
export type QuietHours = z.infer<typeof QuietHours>;

export const DecisionPolicy = z.object({
  /** Emails per person per local day (the person's time zone); null = no cap. */
  frequencyCapPerDay: z.number().int().positive().nullable().default(2),
  /** Local hours during which sends are deferred (never dropped); null = none. */
  quietHours: QuietHours.nullable().default({ start: '21:00', end: '08:00' }),
  /** Share of people (0–100, fractions allowed) kept as the control group: decided, never emailed. */
  holdoutPercent: z.number().min(0).max(100).default(10),
  /**
   * Seeds the holdout hash. The same salt draws the same control group in every campaign that
   * uses it (a global holdout); a salt per campaign draws independent groups. Changing it
   * reshuffles who is held out, which ends any running measurement.
   */
  holdoutSalt: z.string().min(1).default('nudge-holdout-v1'),
  /**
   * Priority between journeys: a journey's first email is skipped (journey_window) when another
   * campaign of the same or a higher priority reached the person within this many ms (cart
   * abandonment, then back in stock, price drop, browse follow-up). null = no window.
   */
  journeyWindowMs: z.number().int().positive().nullable().default(null),
  /** Zone for people without a valid `timezone` trait. */
  defaultTimeZone: TimeZoneName.default('UTC'),
});
export type DecisionPolicy = z.infer<typeof DecisionPolicy>;

export const defaultDecisionPolicy: DecisionPolicy = DecisionPolicy.parse({});
