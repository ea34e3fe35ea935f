/**
 * Durations as marketers write them in campaign definitions: "10s", "30m", "4h", "1d", or a
 * compound such as "1h30m". A tiny parser instead of a library: the `ms` package is not a direct
 * dependency, and it accepts forms we do not want in a definition (bare numbers meaning
 * milliseconds, "1 year", decimals), which would turn a typo into a silently wrong wait.
 * A narrow grammar keeps the error message ("expected a duration like \"30m\"") honest.
 */
const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof unitMs;

const whole = /^(?:\d+[smhd])+$/;
const part = /(\d+)([smhd])/g;

/** Milliseconds for a duration string, or undefined when it is not one (or is zero). */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!whole.test(trimmed)) return undefined;
  let total = 0;
  let lastUnit = Infinity;
  for (const [, amount, unit] of trimmed.matchAll(part)) {
    const size = unitMs[unit as Unit];
    // "30m1h" or "1h1h" is more likely a typo than an intent: units must go from large to small, once each.
    if (size >= lastUnit) return undefined;
    lastUnit = size;
    total += Number(amount) * size;
  }
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** Milliseconds for a duration string; throws a RangeError naming the expected form. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new RangeError(`expected a duration like "30m" (got ${JSON.stringify(text)})`);
  return ms;
}
