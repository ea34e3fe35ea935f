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
    const { messageId, ...call } = message!.call;
    assert.deepStrictEqual(
      { ...message, call },
      {
        label: '2',
        call: { type: 'track', event: 'Catalog Updated', userId: importUserId, timestamp: '2026-03-10T11:00:00.000Z', properties: { product_id: 'a', price: 1, currency: 'EUR', stock: 0 } },
        errors: [],
      },
    );
    assert.match(messageId, new RegExp(`^catalog-import-${'ab'.repeat(12)}-2-[0-9a-f]{16}$`), 'file, row, then a hash of what is sent');
    assert.deepStrictEqual(buildImportMessages(feed.rows, options), [message], 'the same input, the same calls');
    assert.notEqual(buildImportMessages(feed.rows, { ...options, contentHash: 'cd'.repeat(32) })[0]!.call.messageId, messageId);
  });

  test('the messageId changes with what the row sends: its properties and its event time', () => {
    const id = (lines: string[], overrides: Partial<typeof options> = {}, quantity: number | null = null) =>
      buildImportMessages(readCatalogFeed(lines.join('\n'), 'tsv', { now: NOW, inStockQuantity: quantity }).rows, { ...options, ...overrides })[0]!.call.messageId;
    const base = id(['id\tprice', 'a\t1.00 EUR']);
    assert.equal(id(['id\tprice', 'a\t1.00 EUR']), base);
    assert.notEqual(id(['id\tprice', 'a\t2.00 EUR']), base);
    assert.notEqual(id(['id\tprice', 'a\t1.00 EUR'], { timestamp: new Date('2026-03-10T11:30:00.000Z') }), base);
    const inStock = ['id\tavailability', 'a\tin_stock'];
    assert.notEqual(id(inStock, {}, 5), id(inStock, {}, 10), '--in-stock-quantity changes the stock sent');
  });

  test('a row is stamped when its sale started or ended, if that is after the file was written', () => {
    const window = (start: string, end: string) => ['id\tprice\tsale_price\tsale_price_effective_date', `a\t100 EUR\t70 EUR\t${start}/${end}`];
    const stamp = (lines: string[]) => buildImportMessages(tsv(lines).rows, options)[0]!.call;
    // Written 11:00, now 12:00 (options, NOW).
    assert.equal(stamp(window('2026-03-10T11:30:00Z', '2026-03-20T00:00:00Z')).timestamp, '2026-03-10T11:30:00.000Z', 'on sale since 11:30');
    assert.equal(stamp(window('2026-03-01T00:00:00Z', '2026-03-10T11:45:00Z')).timestamp, '2026-03-10T11:45:00.000Z', 'sale over since 11:45');
    assert.equal(stamp(window('2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z')).timestamp, '2026-03-10T11:00:00.000Z', 'on sale since before the file');
    assert.equal(stamp(window('2026-03-15T00:00:00Z', '2026-03-20T00:00:00Z')).timestamp, '2026-03-10T11:00:00.000Z', 'not started yet');
  });

  test('numbers JSON cannot carry are sent as text, so the collector refuses them too (never as null)', () => {
    const jsonl = readCatalogFeed('{"product_id":"a","stock":3,"price":1e309,"tags":["x"]}\n', 'jsonl', { now: NOW, inStockQuantity: null });
    const [fromJson] = buildImportMessages(jsonl.rows, options);
    assert.deepStrictEqual(fromJson!.call.properties, { product_id: 'a', stock: 3, price: '1e309', tags: ['x'] });
    assert.deepStrictEqual(fromJson!.errors.map((e) => e.field), ['price']);
    const digits = '9'.repeat(400);
    const [fromTsv] = buildImportMessages(tsv(['id\tprice\tavailability\tquantity', `a\t${digits} EUR\tin_stock\t${digits}`]).rows, options);
    assert.deepStrictEqual(fromTsv!.call.properties, { product_id: 'a', price: `${digits} EUR`, stock: digits });
    assert.deepStrictEqual(fromTsv!.errors.map((e) => e.field).sort(), ['price', 'quantity']);
    const [computed] = buildImportMessages([{ label: '1', properties: { product_id: 'a', price: Number.POSITIVE_INFINITY, stock: Number.NaN } }], options);
    assert.deepStrictEqual(computed!.call.properties, { product_id: 'a', price: 'Infinity', stock: 'NaN' });
    assert.equal(JSON.parse(JSON.stringify(computed!.call)).properties.price, 'Infinity');
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
