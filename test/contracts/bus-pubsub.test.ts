import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { PubSub } from '@google-cloud/pubsub';
import type { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { allTopicNames, type TopicName } from '../../pipelines/events/topics.ts';
import { createPubSubBus } from '../../functions/gcp/pubsub-bus.ts';
import { createPubSubDeadLetterStore, deadLetterTopicName } from '../../functions/gcp/pubsub-dead-letters.ts';
import { decodePushEnvelope } from '../../functions/push-envelope.ts';
import { pubSubEmulatorSkip, startPubSubEmulator, type PubSubEmulator } from '../support/pubsub-emulator.ts';
import { createObservationQueue, runBusContract, type BusObservation } from './bus.contract.ts';

/**
 * The GCP bus against Google's emulator. Observation uses real push subscriptions to a local
 * HTTP endpoint, so what is checked is the envelope Pub/Sub actually POSTs, decoded by
 * decodePushEnvelope, the same as the Cloud Functions entries do.
 */
const skip = pubSubEmulatorSkip('GCP bus contract');

let emulator: PubSub | undefined;
let running: PubSubEmulator | undefined;
let pushServer: Server | undefined;
let pushPort = 0;
const routes = new Map<string, ReturnType<typeof createObservationQueue>>();
const undecodable: string[] = [];
let subscriptionCount = 0;

before(async () => {
  if (skip) return;
  running = await startPubSubEmulator();
  emulator = running.createClient();
  for (const name of [...allTopicNames, deadLetterTopicName]) await emulator.createTopic(name);
  pushServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const queue = routes.get(request.url ?? '');
      try {
        queue?.push(decodePushEnvelope(Buffer.concat(chunks)));
        response.writeHead(queue ? 204 : 404).end();
      } catch (error) {
        undecodable.push(String(error));
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => pushServer?.listen(0, '127.0.0.1', resolve));
  const address = pushServer.address();
  pushPort = typeof address === 'object' && address !== null ? address.port : 0;
}, { timeout: 120_000 });

after(async () => {
  await new Promise<void>((resolve) => (pushServer ? pushServer.close(() => resolve()) : resolve()));
  await emulator?.close();
  await running?.stop();
});

async function pushSubscription(client: PubSub, topic: string): Promise<{ queue: BusObservation; name: string }> {
  subscriptionCount += 1;
  const name = `contract-${subscriptionCount}`;
  const queue = createObservationQueue();
  routes.set(`/push/${name}`, queue);
  await client.createSubscription(topic, name, { pushConfig: { pushEndpoint: `http://127.0.0.1:${pushPort}/push/${name}` }, ackDeadlineSeconds: 10 });
  return { queue, name };
}

runBusContract(
  'GCP Pub/Sub bus (emulator)',
  async () => {
    if (running === undefined) throw new Error('emulator not started');
    const client = running.createClient();
    const bus = createPubSubBus({ pubsub: client });
    const created: string[] = [];
    return {
      bus,
      observe: async (topic: TopicName) => {
        const { queue, name } = await pushSubscription(client, topic);
        created.push(name);
        return queue;
      },
      teardown: async () => {
        await bus.flush();
        for (const name of created) await client.subscription(name).delete();
        await client.close();
        assert.deepEqual(undecodable, [], 'every push body decoded');
      },
    };
  },
  skip === undefined ? {} : { skip },
);

describe('GCP dead-letter store (emulator)', { skip: skip ?? false }, () => {
  const record: DeadLetter = {
    dead_letter_id: 'dl-1',
    stage: 'collect',
    reason: 'invalid event',
    errors: [{ index: 3, path: 'properties.price', message: 'Expected number' }],
    payload: '{"type":"track","properties":{"price":"free"}}',
    source_id: 'wk_1',
    received_at: '2026-11-27T10:00:00.000Z',
  };

  test(`publishes each record as one JSON row to ${deadLetterTopicName}`, async () => {
    assert.ok(emulator);
    const { queue } = await pushSubscription(emulator, deadLetterTopicName);
    const store = createPubSubDeadLetterStore({ pubsub: emulator });
    await store.put([record, { ...record, dead_letter_id: 'dl-2', source_id: null }]);
    const got = (await queue.take(2)).map((m) => JSON.parse(m.data.toString()) as DeadLetter).sort((a, b) => a.dead_letter_id.localeCompare(b.dead_letter_id));
    assert.deepEqual(got, [record, { ...record, dead_letter_id: 'dl-2', source_id: null }]);
  });

  test('rejects a record that does not match the dead_letters row shape', async () => {
    assert.ok(emulator);
    const store = createPubSubDeadLetterStore({ pubsub: emulator });
    await assert.rejects(store.put([{ ...record, received_at: 'yesterday' }]));
  });
});
