import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { decodeEventMessage } from '../../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

/**
 * The embedded stand-in for a BigQuery subscription: every event topic's messages land in the
 * warehouse table `events` in batches. Undecodable messages are nacked alone (the bus dead-letters
 * them after its attempts); the rest of the batch is written. Inserts are idempotent by event_id,
 * so redelivery after a crash leaves one row per event.
 */
export function createWarehouseWriter(deps: { warehouse: Warehouse }): (messages: ReceivedMessage[]) => Promise<Array<'ack' | 'nack'>> {
  return async (messages) => {
    const events: NudgeEvent[] = [];
    const outcomes = messages.map((message): 'ack' | 'nack' => {
      try {
        events.push(decodeEventMessage(message.data));
        return 'ack';
      } catch {
        return 'nack';
      }
    });
    await deps.warehouse.insertEvents(events);
    return outcomes;
  };
}
