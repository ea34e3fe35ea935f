import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { writeKeyId } from '../../functions/collect/write-keys.ts';
import { createFirestoreProfileStore } from '../../functions/gcp/firestore-profile-store.ts';
import { encodePushEnvelope } from '../../functions/push-envelope.ts';
import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { decodeEventMessage } from '../../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import { findFirestoreEmulator, startFirestoreEmulator, type FirestoreEmulator } from '../support/firestore-emulator.ts';
import { pubSubEmulatorSkip, startPubSubEmulator, type PubSubEmulator } from '../support/pubsub-emulator.ts';

/**
 * The deployed GCP path, end to end on Google's emulators: functions/index.ts is imported as
 * Cloud Functions would load it, its functions are served by functions-framework's own test
 * server, and the only wiring the test adds is what GCP does between them (Pub/Sub delivering a
 * topic's messages to onPriorityEvent as push envelopes).
 */
const writeKey = 'gcp-e2e-write-key';
const topics = ['events-priority', 'events-browse', 'events-catalog', 'events-invalid'] as const;
type Topic = (typeof topics)[number];

function firestoreEmulatorSkip(what: string): string | undefined {
  const found = findFirestoreEmulator();
  if (!('missing' in found)) return undefined;
  const reason = `firestore emulator not available (${found.missing}): ${what} not run`;
  console.log(`# SKIP ${reason}`);
  return reason;
}
const skip = pubSubEmulatorSkip('GCP functions end to end') ?? firestoreEmulatorSkip('GCP functions end to end');

let pubsubEmulator: PubSubEmulator | undefined;
let firestoreEmulator: FirestoreEmulator | undefined;
let pubsub: PubSub | undefined;
let firestore: Firestore | undefined;
let store: ProfileStore;
const subscriptions: Subscription[] = [];
const received = new Map<Topic, Message[]>(topics.map((topic) => [topic, []]));
const servers: Server[] = [];
let collectUrl = '';
let priorityUrl = '';
let closeFunctionClients: () => Promise<void> = async () => {};

before(async () => {
  if (skip) return;
  [pubsubEmulator, firestoreEmulator] = await Promise.all([startPubSubEmulator(), startFirestoreEmulator()]);
  // What terraform/functions.tf sets on the deployed functions, with emulator hosts in place of Google.
  process.env.PUBSUB_EMULATOR_HOST = pubsubEmulator.host;
  process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulator.host;
  process.env.GOOGLE_CLOUD_PROJECT = pubsubEmulator.projectId;
  process.env.NUDGE_WRITE_KEYS = `other-key, ${writeKey}`;
  assert.equal(firestoreEmulator.projectId, pubsubEmulator.projectId);

  pubsub = pubsubEmulator.createClient();
  firestore = firestoreEmulator.createClient();
  store = createFirestoreProfileStore({ firestore });
  for (const topic of topics) {
    const [created] = await pubsub.createTopic(topic);
    const [subscription] = await created.createSubscription(`${topic}-test`, { ackDeadlineSeconds: 10 });
    subscription.on('message', (message: Message) => {
      message.ack();
      received.get(topic)!.push(message);
    });
    subscription.on('error', (error: unknown) => console.error(`# subscription ${topic}-test: ${String(error)}`));
    subscriptions.push(subscription);
  }

  await import('../../functions/index.ts');
  const { getTestServer } = await import('@google-cloud/functions-framework/testing');
  collectUrl = await listen(getTestServer('collect'));
  priorityUrl = await listen(getTestServer('onPriorityEvent'));
  const { getFirestore, getPubSub } = await import('../../functions/gcp/clients.ts');
  const { parseGcpConfig } = await import('../../functions/gcp/config.ts');
  closeFunctionClients = async () => {
    // The singletons the functions built on their first request (same config → same instances).
    const config = parseGcpConfig(process.env, { writeKeys: false });
    await getPubSub(config).close();
    await getFirestore(config).terminate();
  };
}, { timeout: 120_000 });

after(async () => {
  try {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const subscription of subscriptions) await subscription.close();
    await closeFunctionClients();
    await pubsub?.close();
    await firestore?.terminate();
  } finally {
    // Even when a client fails to close, the emulators (JVMs) must not outlive the test.
    await Promise.all([pubsubEmulator?.stop(), firestoreEmulator?.stop()]);
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return `http://127.0.0.1:${address.port}`;
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function postBatch(batch: unknown[], options: { key?: string; gzip?: boolean } = {}): Promise<Response> {
  const json = Buffer.from(JSON.stringify({ batch }));
  return fetch(`${collectUrl}/v1/batch`, {
    method: 'POST',
    headers: {
      authorization: basic(options.key ?? writeKey),
      'content-type': 'application/json',
      ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: options.gzip ? gzipSync(json) : json,
  });
}

/** Waits for `count` messages on `topic` that `match`; returns them. */
async function awaitMessages(topic: Topic, match: (message: Message) => boolean, count: number): Promise<Message[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = received.get(topic)!.filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) assert.fail(`${count} message(s) expected on ${topic}, got ${found.length} (of ${received.get(topic)!.length})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const eventOf = (message: Message): NudgeEvent => decodeEventMessage(message.data);
const hasEventId = (...ids: string[]) => (message: Message) => ids.includes(message.attributes.event_id ?? '');
const deadLetterOf = (message: Message): DeadLetter => DeadLetter.parse(JSON.parse(message.data.toString('utf8')));

function toReceived(message: Message): ReceivedMessage {
  return {
    data: message.data,
    attributes: message.attributes,
    messageId: message.id,
    publishTime: message.publishTime.toISOString(),
    deliveryAttempt: message.deliveryAttempt || 1,
  };
}

function push(message: ReceivedMessage): Promise<Response> {
  const body = encodePushEnvelope(message, `projects/${pubsubEmulator!.projectId}/subscriptions/events-priority-push`);
  return fetch(`${priorityUrl}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.toString('utf8') });
}

describe('GCP functions on the emulators: collect → Pub/Sub → onPriorityEvent → Firestore', { skip: skip ?? false }, () => {
  const sourceId = writeKeyId(writeKey);

  test('collect refuses an unknown write key with 401 and publishes nothing', async () => {
    const response = await postBatch([{ type: 'track', event: 'Product Added', userId: 'intruder', messageId: 'gcp-intruder-1', properties: { product_id: 'x' } }], { key: 'not-a-key' });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { success: boolean }).success, false);
    // Checked again at the end of the suite, once later publishes have surely arrived.
  });

  test('collect publishes valid events of a partly invalid batch to their topics and dead-letters the rest', async () => {
    const response = await postBatch([
      { type: 'identify', userId: 'user-gcp-1', anonymousId: 'anon-gcp-1', messageId: 'gcp-identify-1', traits: { email: 'Ada.Lovelace@Example.com', first_name: 'Ada' } },
      { type: 'track', event: 'Product Added', anonymousId: 'anon-gcp-1', messageId: 'gcp-add-1', properties: { cart_id: 'cart-gcp-1', product_id: 'sku-1', name: 'Notebook', price: 20, quantity: 2 } },
      { type: 'track', event: 'Product Viewed', anonymousId: 'anon-gcp-1', messageId: 'gcp-view-1', properties: { product_id: 'sku-2', price: 5 } },
      { type: 'track', event: 'Product Added', anonymousId: 'anon-gcp-1', messageId: 'gcp-invalid-1', properties: { product_id: 'sku-3', quantity: 'many' } },
    ]);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { success: boolean; accepted: number; rejected: number; errors: { index: number; path: string }[] };
    assert.deepEqual([body.success, body.accepted, body.rejected], [true, 3, 1]);
    assert.deepEqual(body.errors.map((error) => [error.index, error.path]), [[3, 'properties.quantity']]);

    const priority = await awaitMessages('events-priority', hasEventId('gcp-identify-1', 'gcp-add-1'), 2);
    const add = priority.find(hasEventId('gcp-add-1'))!;
    assert.deepEqual(add.attributes, { event_id: 'gcp-add-1', kind: 'product_added', type: 'track', schema_version: String(eventOf(add).schema_version) });
    assert.equal(eventOf(add).anonymous_id, 'anon-gcp-1');
    assert.equal(eventOf(add).source_id, sourceId);
    assert.ok(!add.data.toString().includes(writeKey), 'the write key itself never travels');
    assert.equal(eventOf(priority.find(hasEventId('gcp-identify-1'))!).kind, 'identify');

    const [view] = await awaitMessages('events-browse', hasEventId('gcp-view-1'), 1);
    assert.equal(view!.attributes.kind, 'product_viewed');
    assert.equal(eventOf(view!).event_id, 'gcp-view-1');

    const [dead] = await awaitMessages('events-invalid', (m) => m.data.toString().includes('gcp-invalid-1'), 1);
    const record = deadLetterOf(dead!);
    assert.equal(record.stage, 'collect');
    assert.equal(dead!.attributes.stage, 'collect');
    assert.equal(record.source_id, sourceId);
    assert.deepEqual(record.errors.map((error) => error.path), ['properties.quantity']);
    assert.equal((JSON.parse(record.payload) as { messageId: string }).messageId, 'gcp-invalid-1');
  });

  test('collect inflates a gzip batch and routes each kind, catalog updates included', async () => {
    const response = await postBatch(
      [
        { type: 'identify', userId: 'user-gcp-2', messageId: 'gcp-identify-2', traits: { email: 'grace@example.com' } },
        { type: 'page', anonymousId: 'anon-gcp-2', name: 'Home', messageId: 'gcp-page-2', properties: { path: '/' } },
        { type: 'track', event: 'Catalog Updated', userId: 'catalog-service', messageId: 'gcp-catalog-2', properties: { product_id: 'sku-1', stock: 3 } },
      ],
      { gzip: true },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { success: true });
    const [identify] = await awaitMessages('events-priority', hasEventId('gcp-identify-2'), 1);
    assert.equal(eventOf(identify!).user_id, 'user-gcp-2');
    const [page] = await awaitMessages('events-browse', hasEventId('gcp-page-2'), 1);
    assert.equal(page!.attributes.kind, 'page');
    const [catalog] = await awaitMessages('events-catalog', hasEventId('gcp-catalog-2'), 1);
    assert.equal(catalog!.attributes.kind, 'catalog_updated');
  });

  test('onPriorityEvent folds pushed priority messages into Firestore profiles, once', async () => {
    const messages = await awaitMessages('events-priority', hasEventId('gcp-identify-1', 'gcp-add-1', 'gcp-identify-2'), 3);
    const responses = await Promise.all(messages.map((message) => push(toReceived(message))));
    assert.deepEqual(responses.map((response) => response.status), [204, 204, 204]);

    const personId = await store.findPersonId('anon:anon-gcp-1');
    assert.ok(personId, 'the anonymous id is linked to a person');
    assert.equal(await store.findPersonId('user:user-gcp-1'), personId);
    assert.equal(await store.findPersonId('email:ada.lovelace@example.com'), personId);
    const profile = await store.getProfile(personId);
    assert.ok(profile);
    assert.deepEqual(profile.identities, { anonymous_ids: ['anon-gcp-1'], user_id: 'user-gcp-1', emails: ['ada.lovelace@example.com'] });
    assert.equal(profile.traits.first_name, 'Ada');
    assert.equal(profile.cart?.cart_id, 'cart-gcp-1');
    assert.equal(profile.cart?.status, 'open');
    assert.deepEqual(profile.cart?.items.map((item) => [item.product_id, item.quantity, item.price]), [['sku-1', 2, 20]]);
    assert.equal(profile.cart?.value, 40);

    const grace = await store.findPersonId('user:user-gcp-2');
    assert.ok(grace && grace !== personId, 'another person, another profile');
    assert.deepEqual((await store.getProfile(grace))?.identities.emails, ['grace@example.com']);

    // Pub/Sub delivers at least once: a redelivery is acked and changes nothing.
    const add = messages.find(hasEventId('gcp-add-1'))!;
    assert.equal((await push({ ...toReceived(add), deliveryAttempt: 2 })).status, 204);
    const after = await store.getProfile(personId);
    assert.equal(after?.version, profile.version);
    assert.deepEqual(after?.cart, profile.cart);
  });

  test('onPriorityEvent acks an undecodable push and dead-letters it to events-invalid', async () => {
    const garbage: ReceivedMessage = { data: Buffer.from('not an event'), attributes: {}, messageId: 'gcp-garbage-1', publishTime: new Date().toISOString(), deliveryAttempt: 1 };
    const response = await push(garbage);
    assert.ok(response.status >= 200 && response.status < 300, `acked, got ${response.status}`);
    const [dead] = await awaitMessages('events-invalid', (m) => m.data.toString().includes('gcp-garbage-1'), 1);
    const record = deadLetterOf(dead!);
    assert.equal(record.stage, 'on-priority-event');
    assert.equal(dead!.attributes.stage, 'on-priority-event');
    assert.match(record.reason, /not JSON/);
    assert.equal(record.source_id, null);

    const notAnEnvelope = await fetch(`${priorityUrl}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    assert.equal(notAnEnvelope.status, 204);
    const [deadEnvelope] = await awaitMessages('events-invalid', (m) => m.data.toString().includes('hello'), 1);
    assert.match(deadLetterOf(deadEnvelope!).reason, /Not a Pub\/Sub push envelope/);
  });

  test('nothing from the refused request was ever published', () => {
    for (const topic of topics) assert.equal(received.get(topic)!.filter((m) => m.data.toString().includes('gcp-intruder-1')).length, 0, topic);
  });
});
