import type { ImportRow } from './build-import-messages.ts';
import type { FeedFormat } from './detect-feed-format.ts';
import type { FeedRowError } from './feed-row.ts';
import { mapMerchantRow, type MapMerchantOptions } from './map-merchant-row.ts';
import { parseCatalogJsonLines } from './parse-catalog-jsonl.ts';
import { parseMerchantTsv } from './parse-merchant-tsv.ts';
import { parseMerchantXml } from './parse-merchant-xml.ts';

export type CatalogFeed = {
  /** Every product read, valid or not (the collector keeps the invalid ones as dead letters). */
  rows: ImportRow[];
  /** Rows (or the file) that could not even be read as a product; these are not sent. */
  errors: FeedRowError[];
  /** Labels of in-stock rows without a quantity, when no --in-stock-quantity was given. */
  needsQuantity: string[];
  warnings: FeedRowError[];
};

/** Parses a feed of any format and maps each product to `Catalog Updated` properties. Pure. */
export function readCatalogFeed(text: string, format: FeedFormat, options: MapMerchantOptions): CatalogFeed {
  if (format === 'jsonl') {
    const parsed = parseCatalogJsonLines(text);
    return { rows: parsed.rows, errors: parsed.errors, needsQuantity: [], warnings: [] };
  }
  const parsed = format === 'tsv' ? parseMerchantTsv(text) : parseMerchantXml(text);
  const feed: CatalogFeed = { rows: [], errors: parsed.errors, needsQuantity: [], warnings: [] };
  for (const row of parsed.rows) {
    const mapped = mapMerchantRow(row, options);
    if (mapped.needsQuantity) feed.needsQuantity.push(row.label);
    for (const warning of mapped.warnings) feed.warnings.push({ label: row.label, ...warning });
    feed.rows.push({ label: mapped.label, properties: mapped.properties, fields: mapped.fields, ...(mapped.priceSince ? { since: mapped.priceSince } : {}) });
  }
  return feed;
}
