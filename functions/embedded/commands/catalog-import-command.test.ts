import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { parseEmbeddedConfig } from '../config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../runtime.ts';
import { runCatalogImportCommand, type CatalogImportOptions } from './catalog-import-command.ts';

const writeKey = 'import-test-browser-key';
const serverKey = 'import-test-server-key';

/** 3 valid rows and 1 refused (a negative price on line 4). */
const feedTsv = [
  'id\ttitle\tprice\tavailability\tquantity\tlink\tproduct_type\tbrand',
  'jacket-1\tRain jacket\t129.00 EUR\tin_stock\t4\thttps://shop.example/p/jacket-1\tApparel > Jackets\tAcme',
  'boot-1\tBoot\t89.00 EUR\tout_of_stock\t\thttps://shop.example/p/boot-1\tShoes > Boots\tAcme',
  'hat-1\tHat\t-5.00 EUR\tin_stock\t2\t\t\t',
  'scarf-1\tScarf\t19.90 EUR\tpreorder\t\t\tApparel > Scarves\t',
].join('\r\n');

describe('nudge catalog import against an embedded runtime', () => {
  let dataDir: string;
  let runtime: EmbeddedRuntime;
  let file: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-catalog-import-'));
    file = join(dataDir, 'feed.tsv');
    writeFileSync(file, `\uFEFF${feedTsv}`);
    // A written-at time within the collector's 7-day window, so occurred_at is kept as sent.
    const writtenAt = new Date(Date.now() - 60_000);
    utimesSync(file, writtenAt, writtenAt);
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({ PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_SERVER_WRITE_KEYS: serverKey, NUDGE_SHOP_DOMAINS: 'shop.example' }),
      { log: () => {} },
    );
  });

  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = async (options: Partial<CatalogImportOptions> = {}) => {
    const out = createCaptureStream();
    const err = createCaptureStream();
    const code = await runCatalogImportCommand({ file, dryRun: false, env: { NUDGE_DATA_DIR: dataDir, NUDGE_SERVER_WRITE_KEYS: serverKey }, ...options }, out, err);
    return { code, out: out.text(), err: err.text() };
  };

  test('3 valid rows become catalog items, the refused one a dead letter naming its field; exit 1', async () => {
    const { code, out, err } = await run();
    assert.equal(code, 1, out + err);
    assert.match(out, /^feed\.tsv:4: price: Expected a number ≥ 0/m);
    assert.match(out, /4 rows, 3 valid, 1 refused/);
    assert.match(out, /3 accepted, 1 refused/);
    assert.match(err, /importing 100%/, 'a line per 10% when stderr is not a terminal');
    await runtime.bus.whenIdle();

    const items = await runtime.catalog.getItems(['jacket-1', 'boot-1', 'hat-1', 'scarf-1']);
    assert.deepStrictEqual([...items.keys()].sort(), ['boot-1', 'jacket-1', 'scarf-1']);
    const jacket = items.get('jacket-1')!;
    assert.deepStrictEqual(
      [jacket.name, jacket.price, jacket.currency, jacket.stock, jacket.url, jacket.category, jacket.brand, jacket.tags],
      ['Rain jacket', 129, 'EUR', 4, 'https://shop.example/p/jacket-1', 'Apparel > Jackets', 'Acme', ['Apparel', 'Jackets']],
    );
    assert.equal(items.get('boot-1')?.stock, 0);
    assert.equal(items.get('scarf-1')?.stock, 0, 'preorder without a quantity is not buyable now');

    const letters = await runtime.deadLetters.list({ stage: 'collect' });
    assert.equal(letters.length, 1);
    assert.ok(letters[0]!.errors.some((error) => error.path === 'properties.price'), JSON.stringify(letters[0]!.errors));
    assert.match(letters[0]!.payload, /hat-1/);
  });

  test('importing the same file again changes nothing: no new events, the same items', async () => {
    await runtime.bus.whenIdle();
    const before = await runtime.catalog.getItems(['jacket-1', 'boot-1', 'scarf-1']);
    const [{ n: eventsBefore }] = (await runtime.warehouse.query("SELECT COUNT(*) AS n FROM nudge.events WHERE kind = 'catalog_updated'")) as [{ n: number }];
    const { code } = await run();
    assert.equal(code, 1);
    await runtime.bus.whenIdle();
    assert.deepStrictEqual(await runtime.catalog.getItems(['jacket-1', 'boot-1', 'scarf-1']), before);
    const [{ n: eventsAfter }] = (await runtime.warehouse.query("SELECT COUNT(*) AS n FROM nudge.events WHERE kind = 'catalog_updated'")) as [{ n: number }];
    assert.equal(Number(eventsAfter), Number(eventsBefore));
    assert.equal(Number(eventsBefore), 3);
  });

  test('--dry-run checks and prints, sends nothing', async () => {
    const dry = join(dataDir, 'dry.jsonl');
    writeFileSync(dry, '{"product_id":"dry-1","stock":1}\n{"product_id":"dry-2","stock":-1}\n');
    const { code, out } = await run({ file: dry, dryRun: true });
    assert.equal(code, 1);
    assert.match(out, /^dry\.jsonl:2: stock: Expected a whole number ≥ 0/m);
    assert.match(out, /dry run: nothing sent/);
    await runtime.bus.whenIdle();
    assert.equal((await runtime.catalog.getItems(['dry-1'])).size, 0);
  });

  test('an all-valid XML feed: exit 0', async () => {
    const xml = join(dataDir, 'feed.xml');
    writeFileSync(xml, '<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><item><g:id>xml-1</g:id><g:price>5.00 EUR</g:price><g:availability>in stock</g:availability><g:quantity>2</g:quantity></item></channel></rss>');
    const { code, out } = await run({ file: xml });
    assert.equal(code, 0, out);
    await runtime.bus.whenIdle();
    assert.equal((await runtime.catalog.getItems(['xml-1'])).get('xml-1')?.stock, 2);
  });

  test('in stock without a quantity: exit 2 naming --in-stock-quantity, nothing sent; with the flag it goes through', async () => {
    const noQuantity = join(dataDir, 'no-quantity.tsv');
    writeFileSync(noQuantity, 'id\tprice\tavailability\nnq-1\t1.00 EUR\tin_stock\n');
    const refused = await run({ file: noQuantity });
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--in-stock-quantity.*back-in-stock/s);
    assert.match(refused.err, /no-quantity\.tsv:2/);
    const accepted = await run({ file: noQuantity, inStockQuantity: '10' });
    assert.equal(accepted.code, 0, accepted.out);
    await runtime.bus.whenIdle();
    assert.equal((await runtime.catalog.getItems(['nq-1'])).get('nq-1')?.stock, 10);
  });

  test('usage errors exit 2: a missing file, a bad flag, a browser key', async () => {
    assert.equal((await run({ file: join(dataDir, 'missing.tsv') })).code, 2);
    assert.equal((await run({ inStockQuantity: '0' })).code, 2);
    assert.equal((await run({ format: 'csv' })).code, 2);
    const browser = await run({ writeKey });
    assert.equal(browser.code, 2);
    assert.match(browser.err, /server write key/);
  });
});
