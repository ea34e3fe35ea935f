import type { EventStamp } from './profile.ts';
import { compareStamps, compareText, laterOf } from './stamp.ts';

/**
 * Set-like merges over arrays of stamped records. Arrays rather than maps keyed by product or
 * cart id: those ids come from shops, and Firestore refuses some map keys ("", "__x__").
 * Results are sorted by key so equal states serialise identically.
 */

/** Per key, the record with the later stamp. */
export function mergeLatestBy<T extends EventStamp>(a: readonly T[], b: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of [...a, ...b]) {
    const key = keyOf(item);
    byKey.set(key, laterOf(byKey.get(key), item) as T);
  }
  return [...byKey.entries()].sort(([x], [y]) => compareText(x, y)).map(([, item]) => item);
}

/** Union by key; records with the same key come from the same event and are equal. */
export function unionBy<T>(a: readonly T[], b: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of [...a, ...b]) if (!byKey.has(keyOf(item))) byKey.set(keyOf(item), item);
  return [...byKey.entries()].sort(([x], [y]) => compareText(x, y)).map(([, item]) => item);
}

/**
 * The `max` latest stamped records, latest first (one event can stamp several records: ties go
 * by key). Keeping the top N by a per-record maximum is associative: a record dropped from a
 * partial merge ranks even lower in the full one.
 */
export function latestFirst<T extends EventStamp>(items: readonly T[], max: number, keyOf: (item: T) => string): T[] {
  return [...items]
    .sort((x, y) => compareStamps(y, x) || compareText(keyOf(x), keyOf(y)))
    .slice(0, Math.max(0, max));
}
