import type { FeedRowError, PropertiesRow } from './feed-row.ts';

/**
 * Reads JSON lines: one `Catalog Updated` properties object per line, as a shop's own export
 * writes them ({"product_id":"sku-1","stock":3,"price":19.9}). Blank lines are skipped; a line
 * that is not a JSON object is an error naming its line. The objects are checked later, with
 * the collector's schema, like every other row.
 *
 * A number JSON.parse can only read as Infinity (1e309) is kept as the text written: sent as a
 * number it would become null, which the collector accepts as "no value" (see quoteOverflowingNumbers).
 */
export type ParsedJsonLines = { rows: PropertiesRow[]; errors: FeedRowError[] };

export function parseCatalogJsonLines(text: string): ParsedJsonLines {
  const rows: PropertiesRow[] = [];
  const errors: FeedRowError[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') return;
      const label = String(i + 1);
      let value: unknown;
      try {
        value = JSON.parse(quoteOverflowingNumbers(line));
      } catch (error) {
        errors.push({ label, field: '(line)', message: `Not valid JSON: ${(error as Error).message}` });
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        errors.push({ label, field: '(line)', message: 'Expected a JSON object of Catalog Updated properties' });
        return;
      }
      rows.push({ label, properties: value });
    });
  return { rows, errors };
}

/** A JSON string, or a number as JSON writes one. */
const jsonToken = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The line with every number too large for a double (1e309, 400 digits) written as a string of
 * the same text, so the schema refuses it naming the property and the dead letter shows what the
 * file said. Strings are matched whole first, so digits inside them are left alone; the JSON
 * grammar is unchanged, so an invalid line stays invalid.
 */
export function quoteOverflowingNumbers(line: string): string {
  return line.replace(jsonToken, (token) => (token.startsWith('"') || Number.isFinite(Number(token)) ? token : JSON.stringify(token)));
}
