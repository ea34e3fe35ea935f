import { findTooDeep } from './find-too-deep.ts';
import { maxDeadLetterPayloadChars, maxJsonDepth } from './limits.ts';

/**
 * The text a dead letter keeps of refused input. Exact JSON whenever it can be produced; input
 * that cannot (nested too deep for JSON.stringify's stack, circular) is kept as JSON cut at
 * maxJsonDepth levels, each cut marked, so the refusal itself can never fail on its payload.
 */
export function serialiseForDeadLetter(item: unknown): string {
  if (findTooDeep(item, maxJsonDepth) === null) {
    try {
      return truncateForDeadLetter(JSON.stringify(item) ?? String(item));
    } catch {
      // toJSON that throws, a BigInt: fall through to the cut copy.
    }
  }
  try {
    return truncateForDeadLetter(JSON.stringify(cutAtDepth(item, 0)) ?? String(item));
  } catch (error) {
    return `[not serialisable: ${(error as Error).message}]`;
  }
}

/** Raw text (a body that is not JSON) cut to a size the dead-letter stores always take. */
export function truncateForDeadLetter(text: string): string {
  if (text.length <= maxDeadLetterPayloadChars) return text;
  return `${text.slice(0, maxDeadLetterPayloadChars)}…[truncated: ${text.length - maxDeadLetterPayloadChars} more characters]`;
}

const cutMarker = `[truncated: nested deeper than ${maxJsonDepth} levels]`;

/** A copy down to maxJsonDepth levels (recursion bounded by that depth, never by the input). */
function cutAtDepth(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? String(value) : value;
  if (depth > maxJsonDepth) return cutMarker;
  if (Array.isArray(value)) return value.map((child) => cutAtDepth(child, depth + 1));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) copy[key] = cutAtDepth(child, depth + 1);
  return copy;
}
