import type { EventStamp } from './profile.ts';

/**
 * Last-writer-wins by event time, ties broken by event id (DESIGN.md §4). Instants are always in
 * `toISOString()` form (profileFromEvent normalises them), so string order is time order.
 */
export function compareStamps(a: EventStamp, b: EventStamp): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

/** The later of two stamped values (either may be absent); `a` on a tie (same event). */
export function laterOf<T extends EventStamp>(a: T | null | undefined, b: T | null | undefined): T | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return compareStamps(b, a) > 0 ? b : a;
}

/** True when `a` happened strictly after `b` (an absent `b` is before everything). */
export function isAfter(a: EventStamp, b: EventStamp | null | undefined): boolean {
  return !b || compareStamps(a, b) > 0;
}

/** Just the clock of a stamped value, so a value's extra fields never leak into another field. */
export function stampOf(value: EventStamp): EventStamp {
  return { at: value.at, event_id: value.event_id };
}

export function minString(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

export function maxString(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** `at` minus whole days, in the same ISO form. */
export function daysBefore(at: string, days: number): string {
  return new Date(Date.parse(at) - days * 86_400_000).toISOString();
}

/**
 * Rounds to 6 decimals. Amounts are rounded once when read from an event and again after each
 * sum: the sum of two values on a 1e-6 grid is within float error of the grid, so rounding
 * lands on the same number whatever the order of addition.
 */
export function roundMicros(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Compares plain strings the same way everywhere (no locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
