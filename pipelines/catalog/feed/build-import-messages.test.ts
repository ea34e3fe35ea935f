import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildImportMessages, importUserId } from './build-import-messages.ts';
import { readCatalogFeed } from './read-catalog-feed.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const options = { contentHash: 'ab'.repeat(32), timestamp: new Date('2026-03-10T11:00:00.000Z'), now: NOW };
const tsv = (lines: string[]) => readCatalogFeed(lines.join('\n'), 'tsv', { now: NOW, inStockQuantity: null });

describe('buildImportMessages', () => {
  test('valid rows become Catalog Updated calls with a messageId fixed by content and row', () => {
    const feed = tsv(['id\tprice\tavailability', 'a\t1.00 EUR\tout_of_stock']);
    const [message] = buildImportMessages(feed.rows, options);
    assert.deepStrictEqual(message, {
      label: '2',
      call: { type: 'track', event: 'Catalog Updated', messageId: `catalog-import-${'ab'.repeat(12)}-2`, userId: importUserId, timestamp: '2026-03-10T11:00:00.000Z', properties: { product_id: 'a', price: 1, currency: 'EUR', stock: 0 } },
      errors: [],
    });
    assert.deepStrictEqual(buildImportMessages(feed.rows, options), [message], 'the same input, the same calls');
    assert.notEqual(buildImportMessages(feed.rows, { ...options, contentHash: 'cd'.repeat(32) })[0]!.call.messageId, message!.call.messageId);
  });

  const hostile: Array<[string, string[], string[]]> = [
    ['a negative price', ['id\tprice', 'a\t-1.00 EUR'], ['price']],
    ['stock -1', ['id\tavailability\tquantity', 'a\tin_stock\t-1'], ['quantity']],
    ['a missing id', ['id\ttitle\tprice', '\tBoot\t1.00 EUR'], ['id']],
    ['a huge price', ['id\tprice', 'a\t99999999999.00 EUR'], ['price']],
    ['a huge quantity', ['id\tavailability\tquantity', 'a\tin_stock\t99999999999999999999'], ['quantity']],
    ['an unknown availability', ['id\tavailability', 'a\tsoon'], ['availability']],
    ['neither price nor stock', ['id\ttitle', 'a\tBoot'], ['price or availability']],
    ['a bad currency', ['id\tprice', 'a\t1.00 EURO'], ['price']],
    ['a title larger than an event may be', ['id\tprice\ttitle', `a\t1\t${'x'.repeat(40_000)}`], ['(row)']],
  ];
  for (const [name, lines, fields] of hostile) {
    test(`refuses ${name}, naming ${fields.join(', ')}; the call is still built`, () => {
      const [message] = buildImportMessages(tsv(lines).rows, options);
      assert.deepStrictEqual(message!.errors.map((e) => e.field), fields);
      assert.equal(message!.errors[0]!.label, '2');
      assert.equal(message!.call.event, 'Catalog Updated');
    });
  }

  test('the collector message reads as the brief promises: attribute, then what was expected', () => {
    const [message] = buildImportMessages(tsv(['id\tprice', 'a\t-1']).rows, options);
    assert.match(`${message!.errors[0]!.field}: ${message!.errors[0]!.message}`, /^price: Expected a number ≥ 0/);
  });

  test('links off the shop domains are refused when the domains are known', () => {
    const feed = tsv(['id\tprice\tlink', 'a\t1\thttps://evil.example/x']);
    assert.deepStrictEqual(buildImportMessages(feed.rows, options)[0]!.errors, []);
    assert.deepStrictEqual(buildImportMessages(feed.rows, { ...options, shopHosts: ['shop.example'] })[0]!.errors.map((e) => e.field), ['link']);
  });

  test('JSON lines rows are checked as properties, named by property', () => {
    const feed = readCatalogFeed('{"product_id":"a","stock":3}\n{"product_id":"b","stock":-1}\n[1]\n{"__proto__":{"polluted":1},"product_id":"c","price":1}\n', 'jsonl', { now: NOW, inStockQuantity: null });
    assert.deepStrictEqual(feed.errors.map((e) => [e.label, e.field]), [['3', '(line)']]);
    const messages = buildImportMessages(feed.rows, options);
    assert.deepStrictEqual(messages.map((m) => [m.label, m.errors.map((e) => e.field)]), [['1', []], ['2', ['stock']], ['4', []]]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
