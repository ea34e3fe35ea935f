import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeName, parseMerchantTsv } from './parse-merchant-tsv.ts';

const rowsOf = (text: string) => parseMerchantTsv(text).rows.map((row) => [row.label, Object.fromEntries(row.attributes)]);

describe('parseMerchantTsv', () => {
  const cases: Array<{ name: string; text: string; rows: unknown[] }> = [
    { name: 'header then rows, labelled by line', text: 'id\tprice\na\t1.00 EUR\nb\t2.00 EUR\n', rows: [['2', { id: ['a'], price: ['1.00 EUR'] }], ['3', { id: ['b'], price: ['2.00 EUR'] }]] },
    { name: 'CRLF line ends and a BOM', text: '\uFEFFid\ttitle\r\na\tBoot\r\n', rows: [['2', { id: ['a'], title: ['Boot'] }]] },
    { name: 'blank lines skipped but counted', text: 'id\n\na\n\t\nb', rows: [['3', { id: ['a'] }], ['5', { id: ['b'] }]] },
    { name: 'empty cells are absent; short rows fine', text: 'id\ttitle\tbrand\na\t\tAcme\nb', rows: [['2', { id: ['a'], brand: ['Acme'] }], ['3', { id: ['b'] }]] },
    { name: 'quoted fields hold tabs, line breaks and doubled quotes; the next row keeps its line', text: 'id\ttitle\na\t"12"" pan\twith\nlid"\nb\tx', rows: [['2', { id: ['a'], title: ['12" pan\twith\nlid'] }], ['4', { id: ['b'], title: ['x'] }]] },
    { name: 'a quote inside an unquoted field is a character', text: 'id\ttitle\na\t12" pan', rows: [['2', { id: ['a'], title: ['12" pan'] }]] },
    { name: 'header names: case, g: prefix, spreadsheet labels', text: 'ID\tg:Price\tImage link [image_link]\na\t1\tu', rows: [['2', { id: ['a'], price: ['1'], image_link: ['u'] }]] },
    { name: 'repeated columns keep every value in order', text: 'id\tproduct_type\tproduct_type\na\tA > B\tC', rows: [['2', { id: ['a'], product_type: ['A > B', 'C'] }]] },
  ];
  for (const { name, text, rows } of cases) {
    test(name, () => {
      const parsed = parseMerchantTsv(text);
      assert.deepStrictEqual(parsed.errors, []);
      assert.deepStrictEqual(rowsOf(text), rows);
    });
  }

  test('prototype names never reach Object.prototype', () => {
    const [row] = parseMerchantTsv('__proto__\tconstructor\tid\n{"polluted":1}\ty\ta').rows;
    assert.deepStrictEqual([...row!.attributes], [['__proto__', ['{"polluted":1}']], ['constructor', ['y']], ['id', ['a']]]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a row with more fields than the header, and an unclosed quote, are errors naming their line', () => {
    const parsed = parseMerchantTsv('id\ttitle\na\tb\tstray\nc\t"open\nd');
    assert.deepStrictEqual(parsed.errors.map((e) => [e.label, e.field]), [['2', '(row)'], ['3', '(row)']]);
    assert.match(parsed.errors[0]!.message, /3 fields, but the header names 2/);
    assert.deepStrictEqual(parsed.rows, []);
  });

  test('an empty file has no header: an error, no rows', () => {
    assert.deepStrictEqual(parseMerchantTsv('\n\n').errors.map((e) => e.field), ['(header)']);
  });

  test('attributeName', () => {
    assert.equal(attributeName(' Sale price [sale_price] '), 'sale_price');
    assert.equal(attributeName('G:ID'), 'id');
  });
});
