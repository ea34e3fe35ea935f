import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { allTopicNames } from '../../pipelines/events/topics.ts';
import { factTables, factTopicName } from '../../pipelines/warehouse/fact-rows.ts';
import { decodeEventMessage } from '../../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { createCoalescer } from '../../pipelines/profiles/coalesce.ts';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';
import type { SqliteBusSubscription } from './sqlite-bus.ts';

/**
 * Like a BigQuery subscription, the writer batches: a DuckDB commit has a fixed cost (it syncs its
 * WAL) that dominated the embedded runtime when events trickled in one commit each. Deliveries are
 * therefore held for up to `flushEveryMs` or `maxRows`, written in one insert, and acked together.
 */
export const warehouseWriterDefaults = {
  flushEveryMs: 250,
  maxRows: 5000,
  /**
   * Messages the bus may have handed over and not yet settled. They wait in the batch together,
   * so this must exceed maxRows or every batch would be cut short by the window (throughput ≈
   * maxOutstanding / flushEveryMs).
   */
  maxOutstanding: 10_000,
} as const;

/** The bus subscriptions that write every event topic to the warehouse table `events`. */
export const eventWarehouseSubscriptions: readonly string[] = allTopicNames.map((topic) => `${topic}-to-warehouse`);

/**
 * The embedded stand-in for the BigQuery subscriptions: every event topic's messages land in the
 * warehouse table `events`. Undecodable messages are nacked alone (the bus dead-letters them after
 * its attempts); inserts are idempotent by event_id, so redelivery leaves one row per event.
 */
export function createWarehouseWriter(deps: { warehouse: Warehouse; flushEveryMs?: number; maxRows?: number }): (messages: ReceivedMessage[]) => Promise<Array<'ack' | 'nack'>> {
  const batcher = createCoalescer<NudgeEvent>({
    windowMs: deps.flushEveryMs ?? warehouseWriterDefaults.flushEveryMs,
    maxBatch: deps.maxRows ?? warehouseWriterDefaults.maxRows,
    keyOf: () => 'events',
    flush: (events) => deps.warehouse.insertEvents(events),
  });
  return async (messages) => {
    const waits: Promise<void>[] = [];
    const outcomes = messages.map((message): 'ack' | 'nack' => {
      try {
        waits.push(batcher.add(decodeEventMessage(message.data)));
        return 'ack';
      } catch {
        return 'nack';
      }
    });
    await Promise.all(waits);
    return outcomes;
  };
}

/**
 * The embedded stand-in for the BigQuery subscriptions of the fact topics (bus-warehouse-rows.ts):
 * one subscription per fact table, each batch of rows written with one insertRows. Inserts are
 * idempotent by the table's primary key, so a redelivery leaves one row. A failed insert nacks the
 * batch: the bus retries it with backoff and dead-letters it after its attempts (`nudge
 * dead-letters`), so a warehouse that is slow or down delays rows and loses none.
 */
export function warehouseRowSubscriptions(deps: { warehouse: Pick<Warehouse, 'insertRows'> }): SqliteBusSubscription[] {
  return factTables.map((table): SqliteBusSubscription => ({
    name: `${factTopicName(table)}-to-warehouse`,
    topic: factTopicName(table),
    maxBatch: 500,
    onBatch: async (messages) => {
      const rows: WarehouseRow[] = [];
      const outcomes = messages.map((message): 'ack' | 'nack' => {
        try {
          rows.push(JSON.parse(message.data.toString('utf8')) as WarehouseRow);
          return 'ack';
        } catch {
          return 'nack';
        }
      });
      await deps.warehouse.insertRows(table, rows);
      return outcomes;
    },
  }));
}
