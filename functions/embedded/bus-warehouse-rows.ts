import type { BusMessage, PublishMessages } from '../../pipelines/events/bus.ts';
import type { TopicName } from '../../pipelines/events/topics.ts';
import { factTables, factTopicName, type FactQueue } from '../../pipelines/warehouse/fact-rows.ts';

/**
 * The embedded FactQueue (pipelines/warehouse/fact-rows.ts), the twin of
 * functions/gcp/pubsub-warehouse-rows.ts: each row is published as one JSON message to the bus
 * topic `warehouse-<table>`, and resolves after the bus's SQLite commit — a few milliseconds,
 * whatever the warehouse is doing. The subscriptions of warehouseRowSubscriptions
 * (warehouse-writer.ts) drain the topics into DuckDB with the bus's retries and dead letters, so
 * a row survives a crash and a warehouse that is busy or down.
 */

/** The bus topics of the fact tables; the bus must be created knowing them. */
export const factTopicNames: readonly string[] = factTables.map(factTopicName);

export function createBusWarehouseRows(deps: { publish: PublishMessages }): FactQueue {
  const tables = new Set<string>(factTables);
  return {
    insertRows: async (table, rows) => {
      // Refused rather than published: a topic without its writer would keep the rows nowhere.
      if (!tables.has(table)) throw new Error(`insertRows: no warehouse topic for table "${table}" (known: ${[...tables].join(', ')})`);
      if (rows.length === 0) return;
      const messages: BusMessage[] = rows.map((row) => ({ data: Buffer.from(JSON.stringify(row)), attributes: { table } }));
      // The bus port is typed for event topics; the embedded bus takes any topic it was created with.
      await deps.publish(factTopicName(table) as TopicName, messages);
    },
  };
}
