import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FeedRowError, MerchantRow } from './feed-row.ts';

/**
 * Reads a Merchant Center XML feed: RSS 2.0 (`rss > channel > item`) or Atom 1.0 (`feed > entry`),
 * attributes as elements in the `g:` namespace (http://base.google.com/ns/1.0). RSS's own
 * `title`, `link` and `description` count as the attributes of the same name, as Merchant Center
 * reads them. Repeated elements (product_type, additional_image_link) keep every value in order;
 * nested ones (shipping, tax) are not catalog fields and are skipped. Row labels are the item's
 * position, "item 1" first.
 *
 * fast-xml-parser does the XML, with these choices: the file is checked for well-formedness
 * first (the parser alone is lenient, and a mismatched tag would silently reshape items); values
 * stay strings (a GTIN "0884776536842" is not a number); `&amp;` and numeric references are
 * decoded, entities declared in a DOCTYPE are not (no expansion bombs); element names such as
 * `__proto__` or `constructor` become harmless names before they reach an object key.
 */
export type ParsedXml = { rows: MerchantRow[]; errors: FeedRowError[] };

const unsafeNames = new Set(['__proto__', 'constructor', 'prototype', 'hasownproperty', 'tostring', 'valueof', '__definegetter__', '__definesetter__', '__lookupgetter__', '__lookupsetter__', 'isprototypeof', 'propertyisenumerable', 'tolocalestring']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every element an array: one shape whether an attribute appears once or repeats.
  isArray: () => true,
  transformTagName: (name) => {
    const local = name.replace(/^[^:]*:/, '').toLowerCase();
    return unsafeNames.has(local) ? `unsafe-${local}` : local;
  },
});

export function parseMerchantXml(text: string): ParsedXml {
  const source = text.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    return { rows: [], errors: [{ label: `line ${valid.err.line}`, field: '(xml)', message: `Not well-formed XML: ${valid.err.msg}` }] };
  }
  const document = parser.parse(source) as Record<string, unknown>;
  const items = [...children(document, 'rss').flatMap((rss) => children(rss, 'channel').flatMap((channel) => children(channel, 'item'))), ...children(document, 'feed').flatMap((feed) => children(feed, 'entry'))];
  if (items.length === 0) {
    return { rows: [], errors: [{ label: 'item 1', field: '(xml)', message: 'No products found: expected <rss><channel><item> (RSS 2.0) or <feed><entry> (Atom) elements' }] };
  }
  return { rows: items.map((item, i) => ({ label: `item ${i + 1}`, attributes: attributesOf(item) })), errors: [] };
}

/** The elements named `name` directly under `node` (the parser makes every element an array). */
function children(node: unknown, name: string): unknown[] {
  if (node === null || typeof node !== 'object') return [];
  const value = Object.prototype.hasOwnProperty.call(node, name) ? (node as Record<string, unknown>)[name] : undefined;
  return Array.isArray(value) ? value : [];
}

function attributesOf(item: unknown): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  if (item === null || typeof item !== 'object') return attributes;
  for (const [name, values] of Object.entries(item)) {
    const texts = (Array.isArray(values) ? values : [values]).filter((value): value is string => typeof value === 'string' && value !== '');
    if (texts.length > 0) attributes.set(name, [...(attributes.get(name) ?? []), ...texts]);
  }
  return attributes;
}
