import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildImportMessages } from './build-import-messages.ts';
import { readCatalogFeed } from './read-catalog-feed.ts';
import { catalogEvent } from '../catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../in-memory-catalog-store.ts';

// Review of issue 9: the messageId (the event id every consumer dedupes by) comes from the file's
// bytes and the row label only, but the row's properties also depend on `now` (a sale_price's
// effective window) and on --in-stock-quantity. One id, two different updates.
const file = ['id\ttitle\tprice\tsale_price\tsale_price_effective_date\tavailability\tquantity', 'tent-1\tTent\t100.00 EUR\t70.00 EUR\t2026-03-01T00:00:00Z/2026-03-08T00:00:00Z\tin_stock\t5'].join('\n');
const writtenAt = new Date('2026-03-01T09:00:00.000Z');
const importAt = (now: Date) => buildImportMessages(readCatalogFeed(file, 'tsv', { now, inStockQuantity: null }).rows, { contentHash: 'ab'.repeat(32), timestamp: writtenAt, now })[0]!.call;

describe('catalog import message ids (review)', () => {
  test('re-importing the same feed after its sale ended restores the regular price', async () => {
    const duringSale = importAt(new Date('2026-03-02T12:00:00.000Z'));
    const afterSale = importAt(new Date('2026-03-09T12:00:00.000Z'));
    assert.deepEqual([(duringSale.properties as { price: number }).price, (afterSale.properties as { price: number }).price], [70, 100]);
    // As the collector turns each call into an event: event_id = messageId, occurred_at = timestamp.
    const catalog = createInMemoryCatalogStore();
    for (const call of [duringSale, afterSale]) {
      await catalog.applyUpdates([catalogEvent(call.properties as Record<string, unknown>, { event_id: call.messageId, occurred_at: call.timestamp })]);
    }
    assert.equal((await catalog.getItems(['tent-1'])).get('tent-1')?.price, 100, `both imports are event ${afterSale.messageId}: the expired sale price stays in every email`);
  });
});
