import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopicNames, type TopicName } from '../../pipelines/events/topics.ts';
import { jsonResponse } from '../../functions/http.ts';
import { decodePushEnvelope } from '../../functions/push-envelope.ts';
import { createPushDelivery } from '../../functions/embedded/push-delivery.ts';
import { createSqliteBus } from '../../functions/embedded/sqlite-bus.ts';
import { openSqliteDatabase } from '../../functions/embedded/sqlite-database.ts';
import { createObservationQueue, runBusContract } from './bus.contract.ts';

// Deliveries go through the push envelope and an HttpEntry, exactly as the embedded host
// mounts push entries, so the contract covers encodePushEnvelope/decodePushEnvelope too.
runBusContract('embedded SQLite bus', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-bus-contract-'));
  const db = openSqliteDatabase(join(dir, 'bus.db'));
  const queues = new Map(allTopicNames.map((topic) => [topic, createObservationQueue()]));
  const bus = createSqliteBus({
    db,
    subscriptions: allTopicNames.map((topic) => ({
      name: `observe-${topic}`,
      topic,
      onMessage: createPushDelivery(
        async (request) => {
          queues.get(topic)?.push(decodePushEnvelope(request.rawBody));
          return jsonResponse(204, {});
        },
        { subscription: `observe-${topic}` },
      ),
    })),
  });
  bus.start();
  return {
    bus,
    observe: async (topic: TopicName) => {
      const queue = queues.get(topic);
      if (queue === undefined) throw new Error(`no observer for ${topic}`);
      return queue;
    },
    teardown: async () => {
      await bus.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
