import type { FeedRowError, PropertiesRow } from './feed-row.ts';

/**
 * Reads JSON lines: one `Catalog Updated` properties object per line, as a shop's own export
 * writes them ({"product_id":"sku-1","stock":3,"price":19.9}). Blank lines are skipped; a line
 * that is not a JSON object is an error naming its line. The objects are checked later, with
 * the collector's schema, like every other row.
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
        value = JSON.parse(line);
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
