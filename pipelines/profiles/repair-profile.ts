import { emptyProfile, Profile } from './profile.ts';

export type RepairedProfile = { profile: Profile; dropped: string[] };

/** Enough rounds for a document with a handful of bad values; a worse one is rebuilt from empty. */
const maxRounds = 8;

/**
 * Reads a stored profile document, repairing what no longer parses instead of refusing the
 * person for good (DESIGN.md §4: no single event can make a profile unreadable). Each invalid
 * value is dropped at the smallest place that makes the document valid: the array element that
 * holds it (a cart change, a view), else the field, reset to an empty profile's value. Views
 * (cart, affinities) are recomputed by the next merge anyway; a dropped counter is logged by the
 * caller and left for reconciliation against the event history. Pure.
 */
export function repairProfile(personId: string, doc: unknown, now: string): RepairedProfile {
  const parsed = Profile.safeParse(doc);
  if (parsed.success) return { profile: parsed.data, dropped: [] };
  const fallback = emptyProfile(personId, now);
  const draft: unknown = structuredCloneJson(doc);
  const dropped: string[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const result = Profile.safeParse(draft);
    if (result.success) return { profile: result.data, dropped };
    // Later paths first (deepest, then highest index), so removing one array element does not
    // shift the index of another still to be removed.
    const paths = result.error.issues.map((issue) => issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)));
    paths.sort(laterPathFirst);
    for (const path of paths) {
      const place = dropAt(draft, path, fallback);
      if (place === '') return { profile: fallback, dropped: [...dropped, '(whole document)'] };
      if (!dropped.includes(place)) dropped.push(place);
    }
  }
  return { profile: fallback, dropped: [...dropped, '(whole document)'] };
}

function laterPathFirst(x: (string | number)[], y: (string | number)[]): number {
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [a, b] = [x[i]!, y[i]!];
    if (a === b) continue;
    return typeof a === 'number' && typeof b === 'number' ? b - a : String(b).localeCompare(String(a));
  }
  return y.length - x.length;
}

function structuredCloneJson(doc: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(doc)) as unknown;
  } catch {
    return null;
  }
}

/** Removes the value at `path`; returns the place dropped (dotted), '' for the whole document. */
function dropAt(root: unknown, path: (string | number)[], fallback: Profile): string {
  if (path.length === 0 || typeof root !== 'object' || root === null) return '';
  let lastIndex = path.length - 1;
  while (lastIndex >= 0 && typeof path[lastIndex] !== 'number') lastIndex--;
  if (lastIndex >= 0) {
    const array = valueAt(root, path.slice(0, lastIndex));
    if (Array.isArray(array)) {
      array.splice(path[lastIndex] as number, 1);
      return placeOf(path.slice(0, lastIndex + 1));
    }
  }
  for (let length = path.length; length >= 1; length--) {
    const prefix = path.slice(0, length);
    const reset = valueAt(fallback, prefix);
    const parent = valueAt(root, prefix.slice(0, -1));
    if (reset === undefined || typeof parent !== 'object' || parent === null) continue;
    (parent as Record<string | number, unknown>)[prefix.at(-1)!] = structuredCloneJson(reset);
    return placeOf(prefix);
  }
  return '';
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let value = root;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

const placeOf = (path: (string | number)[]) => path.map((part) => (typeof part === 'number' ? `[${part}]` : part)).join('.').replace(/\.\[/g, '[');
