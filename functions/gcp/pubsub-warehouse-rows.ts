import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

/**
 * Warehouse rows on GCP, with no insert code: each row is published as one JSON message to the
 * topic `warehouse-<table>`, whose BigQuery subscription (terraform/pubsub.tf) writes it into the
 * table of the same name, the same way events reach `events`. JSON columns are stringified by the
 * subscription's transform; Dates become ISO-8601 text here, which TIMESTAMP columns take.
 * Delivery is at-least-once, so readers dedupe by the table's key (sql/tables/<table>.sql says so).
 */

/** The tables written through this adapter; terraform creates one `warehouse-<table>` topic each. */
export const warehouseRowTables = ['decisions', 'email_sends'] as const;
export type WarehouseRowTable = (typeof warehouseRowTables)[number];

export const warehouseTopicName = (table: string) => `warehouse-${table}`;

export type PubSubWarehouseRowsDeps = { pubsub: PubSub; tables?: readonly string[] };

export function createPubSubWarehouseRows(deps: PubSubWarehouseRowsDeps): Pick<Warehouse, 'insertRows'> {
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
