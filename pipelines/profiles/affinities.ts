import type { AffinityDay, CategoryAffinity, Profile } from './profile.ts';
import type { ProfileConfig } from './profile-config.ts';
import { compareText, roundMicros } from './stamp.ts';

/**
 * Category affinities. The state is interest per (category, UTC day), summed exactly; scores are
 * derived from it with exponential decay. A running decayed float would depend on the order
 * events were added in (float addition is not associative); day sums do not, and decaying them
 * at read time gives the same score whatever the order.
 */

const DAY_MS = 86_400_000;

export function mergeAffinityDays(a: readonly AffinityDay[], b: readonly AffinityDay[], config: ProfileConfig): AffinityDay[] {
  const byKey = new Map<string, AffinityDay>();
  for (const entry of [...a, ...b]) {
    const key = `${entry.category}\u0000${entry.day}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, weight: roundMicros(seen.weight + entry.weight) } : entry);
  }
  const newest = [...byKey.values()].reduce((max, entry) => (entry.day > max ? entry.day : max), '');
  if (newest === '') return [];
  // Forgetting by age relative to the newest day (a maximum) is the same in every merge order.
  const oldest = dayOf(new Date(Date.parse(newest) - config.affinityWindowDays * DAY_MS).toISOString());
  return [...byKey.values()]
    .filter((entry) => entry.day >= oldest)
    .sort((x, y) => compareText(x.category, y.category) || compareText(x.day, y.day));
}

/** UTC calendar day of an instant: 2026-11-27T23:59:59.000Z → 2026-11-27. */
export function dayOf(instant: string): string {
  return instant.slice(0, 10);
}

/**
 * Scores decayed to `at` (default: the newest day of activity), highest first. Between two
 * instants every score decays by the same factor, so the ranking never depends on `at`.
 */
export function scoreAffinities(days: readonly AffinityDay[], config: ProfileConfig, at?: string): { as_of: string | null; scores: CategoryAffinity[] } {
  if (days.length === 0) return { as_of: null, scores: [] };
  const asOf = at ?? `${days.reduce((max, entry) => (entry.day > max ? entry.day : max), '')}T00:00:00.000Z`;
  const asOfMs = Date.parse(asOf);
  const totals = new Map<string, number>();
  for (const entry of days) {
    const ageDays = (asOfMs - Date.parse(`${entry.day}T00:00:00.000Z`)) / DAY_MS;
    const decayed = entry.weight * Math.pow(0.5, ageDays / config.affinityHalfLifeDays);
    totals.set(entry.category, (totals.get(entry.category) ?? 0) + decayed);
  }
  const scores = [...totals.entries()]
    .map(([category, score]) => ({ category, score: roundMicros(score) }))
    .filter((entry) => entry.score > 0)
    .sort((x, y) => y.score - x.score || compareText(x.category, y.category))
    .slice(0, config.affinityTopMax);
  return { as_of: asOf, scores };
}

export function deriveAffinityView(state: Profile['state'], config: ProfileConfig): Profile['category_affinities'] {
  return { ...scoreAffinities(state.affinity_days, config), half_life_days: config.affinityHalfLifeDays };
}
