/**
 * What the feed parsers hand to the mapping: one product as the feed spelt it, before any
 * interpretation. `label` says where it came from in the file, for error messages: the line
 * number in a TSV or JSON lines file ("14"), the item's position in an XML feed ("item 3").
 */

/** A Merchant Center product: attribute name (lower case, no `g:`) → its values, in feed order. */
export type MerchantRow = {
  label: string;
  /** A Map, never an object: an attribute named `__proto__` or `constructor` must be just a name. */
  attributes: ReadonlyMap<string, readonly string[]>;
};

/** A JSON lines row: the `Catalog Updated` properties object as written (validated later). */
export type PropertiesRow = { label: string; properties: unknown };

/** A problem with a row (or the file) found while parsing or checking it; `field` as the feed names it. */
export type FeedRowError = { label: string; field: string; message: string };

/** The first value of an attribute, trimmed; null when absent or blank. */
export function firstValue(row: MerchantRow, attribute: string): string | null {
  for (const value of row.attributes.get(attribute) ?? []) {
    const trimmed = value.trim();
    if (trimmed !== '') return trimmed;
  }
  return null;
}
