import type { PubSub, Topic } from '@google-cloud/pubsub';
import { factTables, factTopicName, type FactQueue, type FactTable } from '../../pipelines/warehouse/fact-rows.ts';

/**
 * Warehouse rows on GCP, with no insert code: each row is published as one JSON message to the
 * topic `warehouse-<table>`, whose BigQuery subscription (terraform/pubsub.tf) writes it into the
 * table of the same name, the same way events reach `events`. JSON columns are stringified by the
 * subscription's transform; Dates become ISO-8601 text here, which TIMESTAMP columns take.
 * Delivery is at-least-once, so readers dedupe by the table's key: the views of sql/views/
 * (decisions_deduped, email_sends_deduped) keep one row per key.
 */

/** The tables written through this adapter; terraform creates one `warehouse-<table>` topic each. */
export const warehouseRowTables = factTables;
export type WarehouseRowTable = FactTable;

export const warehouseTopicName = factTopicName;

export type PubSubWarehouseRowsDeps = { pubsub: PubSub; tables?: readonly string[] };

/**
 * The GCP FactQueue (pipelines/warehouse/fact-rows.ts): resolves once Pub/Sub has the rows, long
 * before BigQuery does, so nothing waits for the warehouse.
 */
export function createPubSubWarehouseRows(deps: PubSubWarehouseRowsDeps): FactQueue {
  const tables = new Set<string>(deps.tables ?? warehouseRowTables);
  // One Topic per table: each holds its own batcher.
  const topics = new Map<string, Topic>();
  return {
    insertRows: async (table, rows) => {
      // Refused rather than published: a topic nobody created would lose the rows.
      if (!tables.has(table)) throw new Error(`insertRows: no warehouse topic for table "${table}" (known: ${[...tables].join(', ')})`);
      if (rows.length === 0) return;
      let topic = topics.get(table);
      if (!topic) {
        topic = deps.pubsub.topic(warehouseTopicName(table), { batching: { maxMessages: 500, maxMilliseconds: 10 } });
        topics.set(table, topic);
      }
      const target = topic;
      await Promise.all(rows.map((row) => target.publishMessage({ data: Buffer.from(JSON.stringify(row)), attributes: { table } })));
    },
  };
}
