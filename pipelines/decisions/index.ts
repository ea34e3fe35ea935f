/** The decisions stage: whether a journey step emails a person now, later or never — and why. */
export { decide, type DecideInput, type DecisionCart, type DecisionPerson, type Suppression } from './decide.ts';
export { Decision, DecisionOutcome, DecisionReason } from './decision.ts';
export { DecisionPolicy, defaultDecisionPolicy, LocalClockTime, QuietHours, TimeZoneName } from './policy.ts';
export { holdoutBucket, isInHoldout } from './holdout.ts';
export { isInQuietHours, isValidTimeZone, nextAllowedInstant, readLocalTime, resolveTimeZone, startOfLocalDay, type LocalTime } from './local-time.ts';
