import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { parseEmbeddedConfig } from '../config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../runtime.ts';
import { runCatalogImportCommand, type CatalogImportOptions } from './catalog-import-command.ts';

const serverKey = 'refusals-import-server-key';

// A newcomer's setup: the host's shop is NUDGE_SHOP_URL (default https://shop.example), no NUDGE_SHOP_DOMAINS.
describe('nudge catalog import: what it reports refused stays refused', () => {
  let dataDir: string;
  let runtime: EmbeddedRuntime;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-import-refusals-'));
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({ PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: 'browser-key', NUDGE_SERVER_WRITE_KEYS: serverKey }),
      { log: () => {} },
    );
  });
  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const run = async (file: string, options: Partial<CatalogImportOptions> = {}) => {
    const out = createCaptureStream();
    const err = createCaptureStream();
    const code = await runCatalogImportCommand({ file, dryRun: false, env: { NUDGE_DATA_DIR: dataDir, NUDGE_SERVER_WRITE_KEYS: serverKey }, ...options }, out, err);
    return { code, out: out.text(), err: err.text() };
  };

  test('a JSON-lines row the import reports as refused (price 1e309) is not applied to the catalog with its price dropped', async () => {
    const file = join(dataDir, 'inf.jsonl');
    writeFileSync(file, '{"product_id":"inf-1","stock":3,"price":1e309}\n');
    const { code, out } = await run(file);
    assert.match(out, /inf\.jsonl:1: price: Expected a number/, 'the import says the row is refused');
    assert.equal(code, 1);
    await runtime.bus.whenIdle();
    // Today: JSON.stringify(Infinity) sends "price":null, the collector accepts the row ("1 accepted, 0 refused"),
    // and the catalog gains inf-1 with stock 3 — a row the user was told was refused.
    assert.match(out, /0 accepted, 1 refused/, out);
    assert.equal((await runtime.catalog.getItems(['inf-1'])).size, 0, 'a refused row changes no item');
    const letter = (await runtime.deadLetters.list({ stage: 'collect' })).find((l) => l.payload.includes('inf-1'));
    assert.ok(letter?.errors.some((error) => error.path === 'properties.price'), 'dead-lettered naming the field');
    assert.match(letter!.payload, /"price":"1e309"/, 'with the value the file wrote');
  });

  test('--dry-run checks links against the shop the host uses (NUDGE_SHOP_URL), as the real import does', async () => {
    const file = join(dataDir, 'links.jsonl');
    writeFileSync(file, '{"product_id":"evil-1","stock":1,"url":"https://evil.example/p/1"}\n');
    const dry = await run(file, { dryRun: true });
    const real = await run(file);
    assert.equal(real.code, 1, 'the collector refuses the link');
    assert.match(real.out, /evil\.example is not one of the shop's domains/);
    assert.equal(dry.code, 1, `--dry-run passed a row the import then refuses:\n${dry.out}`);
  });

  test('--dry-run reads the shop from NUDGE_SHOP_URL when NUDGE_SHOP_DOMAINS is unset, and from NUDGE_SHOP_DOMAINS first', async () => {
    const file = join(dataDir, 'own-shop.jsonl');
    writeFileSync(file, '{"product_id":"own-1","stock":1,"url":"https://my.shop/p/1"}\n');
    const env = (extra: Record<string, string>) => ({ env: { NUDGE_DATA_DIR: dataDir, NUDGE_SERVER_WRITE_KEYS: serverKey, ...extra }, dryRun: true });
    assert.equal((await run(file, env({ NUDGE_SHOP_URL: 'https://my.shop/' }))).code, 0);
    assert.equal((await run(file, env({ NUDGE_SHOP_URL: 'https://my.shop/', NUDGE_SHOP_DOMAINS: 'other.shop' }))).code, 1);
    const bad = await run(file, env({ NUDGE_SHOP_URL: 'not a url' }));
    assert.equal(bad.code, 2, 'a shop URL the host would refuse to start with is a usage error');
    assert.match(bad.err, /NUDGE_SHOP_URL must be an absolute URL/);
  });

  test('--dry-run against a --url collector, with no shop configured here, says the links were not checked', async () => {
    const file = join(dataDir, 'remote.jsonl');
    writeFileSync(file, '{"product_id":"remote-1","stock":1,"url":"https://my.shop/p/1"}\n');
    const { code, out } = await run(file, { dryRun: true, url: 'https://collect.example' });
    assert.equal(code, 0, out);
    assert.match(out, /links not checked: set NUDGE_SHOP_DOMAINS or NUDGE_SHOP_URL/);
  });

  test('a Merchant Center price too long to be a number is refused end to end, not sent as null', async () => {
    const file = join(dataDir, 'digits.tsv');
    writeFileSync(file, `id\tprice\tavailability\tquantity\ndigits-1\t${'9'.repeat(400)} EUR\tin_stock\t3\n`);
    const { code, out } = await run(file);
    assert.equal(code, 1, out);
    assert.match(out, /digits\.tsv:2: price: Expected a number/);
    assert.match(out, /0 accepted, 1 refused/);
    await runtime.bus.whenIdle();
    assert.equal((await runtime.catalog.getItems(['digits-1'])).size, 0);
  });
});
