import type { QuietHours } from './policy.ts';

/**
 * A person's local clock, from an IANA zone, with nothing but Intl (no tz library, no I/O).
 *
 * Times are handled as "wall" milliseconds: the local date and time read as if they were UTC.
 * An instant t has wall(t) = t + offset(t). Converting a wall time back to an instant is where
 * DST bites: in a spring-forward gap the wall time never happens, in a fall-back fold it
 * happens twice. The rule everywhere below: the answer is the first instant at which the local
 * clock shows that time or later — the transition itself for a gap, the earlier pass for a fold.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // h23: midnight is 00, never 24 (the en-US default hour cycle can print 24:00).
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The person's zone when it is a valid IANA name (a trait is free text), else the fallback. */
export function resolveTimeZone(candidate: unknown, fallback: string): string {
  return typeof candidate === 'string' && isValidTimeZone(candidate) ? candidate : fallback;
}

/** Local date and time of an instant in a zone. */
export type LocalTime = {
  /** YYYY-MM-DD */
  date: string;
  hour: number;
  minute: number;
};

function wallOf(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall + (((instantMs % 1000) + 1000) % 1000);
}

export function readLocalTime(at: Date, timeZone: string): LocalTime {
  const wall = new Date(wallOf(at.getTime(), timeZone));
  return { date: wall.toISOString().slice(0, 10), hour: wall.getUTCHours(), minute: wall.getUTCMinutes() };
}

/**
 * The first instant at or after `notBefore` whose local wall time is `wallMs` — or, when the
 * clock skips that time (a DST gap), the first instant it shows a later time.
 */
function firstInstantShowing(wallMs: number, timeZone: string, notBefore: number): number {
  // Offsets a day either side cover both sides of any transition near the target (offsets
  // stay within ±14 h, and no zone changes offset twice within two days).
  const offsets = [...new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => wallOf(t, timeZone) - t))];
  const exact = offsets.map((offset) => wallMs - offset).filter((t) => t >= notBefore && wallOf(t, timeZone) === wallMs);
  if (exact.length > 0) return Math.min(...exact);
  // A gap: before the transition the clock shows less than wallMs, from it on more. Search for it.
  let low = Math.max(notBefore, wallMs - Math.max(...offsets));
  let high = wallMs - Math.min(...offsets);
  if (wallOf(low, timeZone) >= wallMs) return low;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallOf(middle, timeZone) >= wallMs) high = middle;
    else low = middle;
  }
  return high;
}

/** When the local day containing `at` began: the frequency cap's "today" starts here. */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  const wall = wallOf(at.getTime(), timeZone);
  return new Date(firstInstantShowing(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS), timeZone, -Infinity));
}

function minutesOf(clockTime: string): number {
  const [hours, minutes] = clockTime.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** Whether a local minute of the day (0–1439) falls in the quiet window. */
function isQuietMinute(minute: number, quietHours: QuietHours): boolean {
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function isInQuietHours(at: Date, timeZone: string, quietHours: QuietHours): boolean {
  const local = readLocalTime(at, timeZone);
  return isQuietMinute(local.hour * 60 + local.minute, quietHours);
}

/**
 * The next instant a send is allowed, or null when `at` already is: the first moment after `at`
 * the local clock shows the end of the quiet window — today's end before it, tomorrow's when the
 * window has wrapped past midnight. A DST change overnight moves the answer in UTC, not locally.
 */
export function nextAllowedInstant(at: Date, timeZone: string, quietHours: QuietHours): Date | null {
  const wall = wallOf(at.getTime(), timeZone);
  const minuteOfDay = Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
  if (!isQuietMinute(minuteOfDay, quietHours)) return null;
  const end = minutesOf(quietHours.end);
  const midnight = wall - minuteOfDay * MINUTE_MS - (((wall % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
  const endWall = midnight + (minuteOfDay < end ? 0 : DAY_MS) + end * MINUTE_MS;
  return new Date(firstInstantShowing(endWall, timeZone, at.getTime() + 1));
}
