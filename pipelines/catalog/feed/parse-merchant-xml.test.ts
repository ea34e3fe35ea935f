import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMerchantXml } from './parse-merchant-xml.ts';

const rss = (items: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><title>Shop</title><link>https://shop.example</link>
${items}
</channel></rss>`;

describe('parseMerchantXml', () => {
  test('RSS 2.0 items with g: attributes and RSS title/link; labelled by position', () => {
    const parsed = parseMerchantXml(rss(`
      <item><g:id>sku-1</g:id><title>Boot &amp; Co &#x20AC;</title><link>https://shop.example/p/1</link><g:price>129.00 EUR</g:price>
        <g:product_type>Shoes &gt; Boots</g:product_type><g:product_type>Winter</g:product_type>
        <g:shipping><g:country>DE</g:country><g:price>4.95 EUR</g:price></g:shipping>
        <description><![CDATA[<b>warm</b>]]></description><g:gtin>0884776536842</g:gtin></item>
      <item><g:id>sku-2</g:id><g:title>Hat</g:title></item>`));
    assert.deepStrictEqual(parsed.errors, []);
    assert.deepStrictEqual(
      parsed.rows.map((row) => [row.label, Object.fromEntries(row.attributes)]),
      [
        ['item 1', { id: ['sku-1'], title: ['Boot & Co €'], link: ['https://shop.example/p/1'], price: ['129.00 EUR'], product_type: ['Shoes > Boots', 'Winter'], description: ['<b>warm</b>'], gtin: ['0884776536842'] }],
        ['item 2', { id: ['sku-2'], title: ['Hat'] }],
      ],
    );
  });

  test('Atom entries and a BOM', () => {
    const parsed = parseMerchantXml('\uFEFF<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0"><entry><g:id>a</g:id><g:availability>in stock</g:availability></entry></feed>');
    assert.deepStrictEqual(parsed.rows.map((row) => Object.fromEntries(row.attributes)), [{ id: ['a'], availability: ['in stock'] }]);
  });

  test('hostile element names are harmless; DOCTYPE entities are not expanded', () => {
    const parsed = parseMerchantXml(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>
      <rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>1</g:id><g:__proto__>{"polluted":1}</g:__proto__><constructor>x</constructor><g:title>&b;</g:title></item></channel></rss>`);
    assert.deepStrictEqual(parsed.errors, []);
    const attributes = parsed.rows[0]!.attributes;
    assert.deepStrictEqual(attributes.get('id'), ['1']);
    assert.equal(attributes.get('__proto__'), undefined);
    assert.equal(attributes.get('constructor'), undefined);
    assert.deepStrictEqual(attributes.get('title'), ['&b;']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  const broken: Array<[string, string, RegExp]> = [
    ['mismatched tags', rss('<item><g:id>1</item>'), /Not well-formed XML/],
    ['not XML at all', 'id\tprice', /Not well-formed XML|No products found/],
    ['XML without items', '<rss><channel><title>x</title></channel></rss>', /No products found/],
  ];
  for (const [name, text, message] of broken) {
    test(`${name}: one error, no rows`, () => {
      const parsed = parseMerchantXml(text);
      assert.deepStrictEqual(parsed.rows, []);
      assert.equal(parsed.errors.length, 1);
      assert.match(parsed.errors[0]!.message, message);
    });
  }
});
