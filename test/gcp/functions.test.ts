import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { writeKeyId } from '../../functions/collect/write-keys.ts';
import { createFirestoreProfileStore } from '../../functions/gcp/firestore-profile-store.ts';
import { encodePushEnvelope } from '../../functions/push-envelope.ts';
import { signOfferCode } from '../../pipelines/content/offer-code.ts';
import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { decodeEventMessage } from '../../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import { findFirestoreEmulator, startFirestoreEmulator, type FirestoreEmulator } from '../support/firestore-emulator.ts';
import { pubSubEmulatorSkip, startPubSubEmulator, type PubSubEmulator } from '../support/pubsub-emulator.ts';
import { startSendGridCapture } from '../support/sendgrid-capture.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

/**
 * The deployed GCP path, end to end on Google's emulators: functions/index.ts is imported as
 * Cloud Functions would load it, its functions are served by functions-framework's own test
 * server, and the only wiring the test adds is what GCP does between them (Pub/Sub delivering a
 * topic's messages to onPriorityEvent as push envelopes).
 */
const writeKey = 'gcp-e2e-write-key';
const topics = ['events-priority', 'events-browse', 'events-catalog', 'events-invalid', 'journey-fanout', 'warehouse-decisions', 'warehouse-email_sends', 'warehouse-email_events', 'warehouse-person_identities'] as const;
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
let sweepUrl = '';
let unsubscribeUrl = '';
let sendgridEventsUrl = '';
// SendGrid's signing key pair for the webhook (the public half is what terraform puts in Secret Manager).
const webhookKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
let trackUrl = '';
let catalogUrl = '';
let interestUrl = '';
let fanOutUrl = '';
let offersUrl = '';
let sendgrid: Awaited<ReturnType<typeof startSendGridCapture>> | undefined;
let templatesDir: string | undefined;
let closeFunctionClients: () => Promise<void> = async () => {};

before(async () => {
  if (skip) return;
  [pubsubEmulator, firestoreEmulator] = await Promise.all([startPubSubEmulator(), startFirestoreEmulator()]);
  // What terraform/functions.tf sets on the deployed functions, with emulator hosts in place of Google.
  process.env.PUBSUB_EMULATOR_HOST = pubsubEmulator.host;
  process.env.FIRESTORE_EMULATOR_HOST = firestoreEmulator.host;
  process.env.GOOGLE_CLOUD_PROJECT = pubsubEmulator.projectId;
  process.env.NUDGE_WRITE_KEYS = `other-key, ${writeKey}`;
  // The batches below carry the shop backend's Catalog Updated, which only server keys may send.
  process.env.NUDGE_SERVER_WRITE_KEYS = writeKey;
  // Journeys: the cart campaign's wait cut to one second in a copied templates folder, SendGrid
  // replaced by a local capture server, and nothing deferred or held out whatever the time.
  templatesDir = copyTemplatesWithWait(mkdtempSync(join(tmpdir(), 'nudge-gcp-templates-')), '1s');
  sendgrid = await startSendGridCapture();
  Object.assign(process.env, {
    NUDGE_TEMPLATES_DIR: templatesDir,
    NUDGE_LINK_KEYS: 'gcp-e2e-link-signing-key-0123456789abcdef',
    SENDGRID_API_KEY: 'SG.gcp-e2e',
    SENDGRID_API_BASE: sendgrid.url,
    NUDGE_QUIET_HOURS: 'off',
    NUDGE_HOLDOUT_PERCENT: '0',
    SENDGRID_WEBHOOK_PUBLIC_KEY: webhookKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  });
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
  sweepUrl = await listen(getTestServer('sweepTimers'));
  unsubscribeUrl = await listen(getTestServer('unsubscribe'));
  sendgridEventsUrl = await listen(getTestServer('sendgridEvents'));
  trackUrl = await listen(getTestServer('track'));
  catalogUrl = await listen(getTestServer('onCatalogUpdate'));
  interestUrl = await listen(getTestServer('recordInterest'));
  fanOutUrl = await listen(getTestServer('fanOutJourney'));
  offersUrl = await listen(getTestServer('offers'));
  // What terraform sets on sweepTimers: the unsubscribe and track functions' URLs (read on its first request).
  process.env.NUDGE_PUBLIC_URL = unsubscribeUrl;
  process.env.NUDGE_TRACK_URL = trackUrl;
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
    await Promise.all([pubsubEmulator?.stop(), firestoreEmulator?.stop(), sendgrid?.close()]);
    if (templatesDir) rmSync(templatesDir, { recursive: true, force: true });
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

function push(message: ReceivedMessage, url = priorityUrl, subscription = 'events-priority-push'): Promise<Response> {
  const body = encodePushEnvelope(message, `projects/${pubsubEmulator!.projectId}/subscriptions/${subscription}`);
  return fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.toString('utf8') });
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

describe('GCP offers function: checks codes signed with the link keys, for server write keys only', { skip: skip ?? false }, () => {
  const check = (code: string, key: string) =>
    fetch(`${offersUrl}/v1/offers/check`, { method: 'POST', headers: { authorization: basic(key), 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const code = (expiresAt: Date) => signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'gcp-offer-send-1' }, process.env.NUDGE_LINK_KEYS!);

  test('a code signed with the link key is valid for a server write key, and expired after its expiry', async () => {
    const good = await check(code(new Date(Date.now() + 86_400_000)), writeKey);
    assert.equal(good.status, 200);
    const checked = (await good.json()) as { valid: boolean; code_prefix: string };
    assert.deepEqual([checked.valid, checked.code_prefix], [true, 'LOOK10']);
    const expired = await check(code(new Date(Date.now() - 3_600_000)), writeKey);
    assert.deepEqual(await expired.json(), { valid: false, reason: 'expired' });
  });

  // The function is handed the server write keys only (terraform mounts no NUDGE_WRITE_KEYS on it),
  // so a browser key is as unknown to it as a made-up one.
  test('a browser write key is refused like an unknown key, with 401', async () => {
    for (const key of ['other-key', 'not-a-key']) assert.equal((await check(code(new Date(Date.now() + 86_400_000)), key)).status, 401);
  });
});

describe('GCP journeys on the emulators: onPriorityEvent arms a timer, sweepTimers sends once, unsubscribe suppresses', { skip: skip ?? false }, () => {
  const cartId = 'cart-gcp-journey';
  let personId = '';

  const sweep = async () => {
    const response = await fetch(`${sweepUrl}/`, { method: 'POST' });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { due: number; outcomes: Record<string, number>; in_doubt: { resolved_sent: number; resolved_retry: number } };
  };
  const rowsOf = (topic: Topic) => received.get(topic)!.map((message) => JSON.parse(message.data.toString('utf8')) as Record<string, unknown>);

  test('a priority push of identify + Product Added arms one cart timer in Firestore', async () => {
    const response = await postBatch([
      { type: 'identify', userId: 'user-gcp-cart', messageId: 'gcp-cart-identify', traits: { email: 'cleo@example.com', first_name: 'Cleo', email_marketing_consent: true } },
      { type: 'track', event: 'Product Added', userId: 'user-gcp-cart', messageId: 'gcp-cart-add-1', properties: { cart_id: cartId, product_id: 'lamp', name: 'Desk Lamp', price: 30, quantity: 1, image_url: 'https://cdn.shop.example/lamp.jpg' } },
      { type: 'track', event: 'Product Added', userId: 'user-gcp-cart', messageId: 'gcp-cart-add-2', properties: { cart_id: cartId, product_id: 'mug', name: 'Mug', price: 12, quantity: 2, image_url: 'https://cdn.shop.example/mug.jpg' } },
    ]);
    assert.equal(response.status, 200);
    const ids = ['gcp-cart-identify', 'gcp-cart-add-1', 'gcp-cart-add-2'];
    const messages = await awaitMessages('events-priority', hasEventId(...ids), 3);
    // In order, as one ordering key would deliver them.
    for (const id of ids) assert.equal((await push(toReceived(messages.find(hasEventId(id))!))).status, 204);

    personId = (await store.findPersonId('user:user-gcp-cart')) ?? '';
    assert.ok(personId);
    // Who is who went to the warehouse topic (person_identities) once the fold committed.
    await awaitMessages('warehouse-person_identities', (m) => m.data.toString().includes('user-gcp-cart'), 1);
    assert.ok(rowsOf('warehouse-person_identities').some((row) => row.identity_kind === 'user_id' && row.identity_value === 'user-gcp-cart' && row.person_id === personId));
    const timers = await store.listTimers(personId);
    assert.equal(timers.length, 1);
    assert.deepEqual([timers[0]!.campaign_id, timers[0]!.trigger_key, timers[0]!.step], ['cart-abandonment', JSON.stringify([cartId, null]), 0], 'keyed on the cart and its first filling');
    const cart = (await store.getProfile(personId))?.cart;
    assert.equal(Date.parse(timers[0]!.due_at) - Date.parse(cart!.updated_at), 1000, 'due one wait after the last cart change');
  });

  test('sweepTimers sends the reminder through SendGrid once, and records the decision and the send', async () => {
    const deadline = Date.now() + 20_000;
    while (!sendgrid!.mails.some((mail) => JSON.stringify(mail.body).includes('cleo@example.com'))) {
      if (Date.now() > deadline) assert.fail(`no email reached SendGrid (got ${sendgrid!.mails.length})`);
      await sweep();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const mails = sendgrid!.mails.filter((mail) => JSON.stringify(mail.body).includes('cleo@example.com'));
    assert.equal(mails.length, 1);
    const body = mails[0]!.body as { personalizations: { to: { email: string }[] }[]; categories: string[]; custom_args: Record<string, string>; headers: Record<string, string>; content: { type: string; value: string }[] };
    assert.equal(body.personalizations[0]!.to[0]!.email, 'cleo@example.com');
    assert.deepEqual(body.categories, ['nudge', 'cart-abandonment', 'step-0']);
    assert.equal(body.custom_args.campaign_id, 'cart-abandonment');
    assert.ok(body.custom_args.send_id);
    assert.ok(body.headers['List-Unsubscribe']?.startsWith(`<${unsubscribeUrl}/unsubscribe?token=`), body.headers['List-Unsubscribe']);
    assert.equal(body.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const html = body.content.find((part) => part.type === 'text/html')!.value;
    for (const expected of ['Desk Lamp', 'Mug', 'https://cdn.shop.example/lamp.jpg', 'https://cdn.shop.example/mug.jpg']) assert.ok(html.includes(expected), `html has ${expected}`);

    // Sent: the timer moved on to the follow-up (a day later), and a second sweep sends nothing.
    const [timer] = await store.listTimers(personId);
    assert.equal(timer?.step, 1);
    const again = await sweep();
    assert.equal(again.outcomes.sent ?? 0, 0);
    assert.equal(sendgrid!.mails.filter((mail) => JSON.stringify(mail.body).includes('cleo@example.com')).length, 1);

    // Rows for the warehouse went to their topics (BigQuery subscriptions write them on GCP).
    const sendId = body.custom_args.send_id!;
    await awaitMessages('warehouse-email_sends', (m) => m.data.toString().includes(sendId), 1);
    const sent = rowsOf('warehouse-email_sends').find((row) => row.send_id === sendId);
    assert.deepEqual([sent?.status, sent?.provider, sent?.person_id], ['sent', 'sendgrid', personId]);
    await awaitMessages('warehouse-decisions', (m) => m.data.toString().includes(sendId), 1);
    assert.deepEqual(rowsOf('warehouse-decisions').filter((row) => row.send_id === sendId).map((row) => [row.outcome, row.reason]), [['send', 'eligible']]);
    // Ada (no consent; her cart was armed by the first suite) is skipped, with the reason recorded.
    const ada = await store.findPersonId('user:user-gcp-1');
    assert.ok(rowsOf('warehouse-decisions').some((row) => row.person_id === ada && row.outcome === 'skip' && row.reason === 'no_consent'));
  });

  test('a click link of that email goes through the track function to the shop and publishes an email_events row', async () => {
    const mail = sendgrid!.mails.find((m) => JSON.stringify(m.body).includes('cleo@example.com'))!;
    const body = mail.body as { content: { type: string; value: string }[]; custom_args: Record<string, string>; tracking_settings: Record<string, { enable: boolean }> };
    // First-party tracking (the campaign's default): SendGrid must not wrap nudge's links again.
    assert.equal(body.tracking_settings.click_tracking?.enable, false);
    assert.equal(body.tracking_settings.open_tracking?.enable, false);
    const html = body.content.find((part) => part.type === 'text/html')!.value;
    const click = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).find((href) => href.startsWith(`${trackUrl}/c/`));
    assert.ok(click, 'the shop links point at the track function');
    assert.ok(html.includes(`${trackUrl}/o/`), 'the open pixel too');
    const response = await fetch(click, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' } });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.searchParams.get('utm_campaign'), 'cart-abandonment');
    const sendId = body.custom_args.send_id!;
    await awaitMessages('warehouse-email_events', (m) => m.data.toString().includes(sendId), 1);
    const row = rowsOf('warehouse-email_events').find((r) => r.send_id === sendId);
    assert.deepEqual([row?.event_type, row?.source, row?.url, row?.person_id], ['click', 'first_party', location.toString(), personId]);
    const forged = await fetch(click.replace('/c/', '/c/x'), { redirect: 'manual' });
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.get('location'), null);
  });

  test('the unsubscribe link of that email, posted one-click, withdraws consent at once', async () => {
    const mail = sendgrid!.mails.find((m) => JSON.stringify(m.body).includes('cleo@example.com'))!;
    const link = /^<(.+)>$/.exec((mail.body.headers as Record<string, string>)['List-Unsubscribe']!)![1]!;
    const page = await fetch(link);
    assert.equal(page.status, 200);
    assert.equal((await store.getProfile(personId))?.consent.email_marketing?.value, true, 'a GET changes nothing');
    const response = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(response.status, 200);
    const consent = (await store.getProfile(personId))?.consent.email_marketing;
    assert.deepEqual([consent?.value, consent?.source], [false, 'unsubscribe']);
    // Published like any event, so history (BigQuery) has it.
    const [event] = await awaitMessages('events-priority', (m) => m.attributes.kind === 'consent_updated', 1);
    assert.equal(eventOf(event!).user_id, 'user-gcp-cart');

    // And recorded for the KPIs: an email_events row of the send (the link carries the campaign).
    await awaitMessages('warehouse-email_events', (m) => m.data.toString().includes('"event_type":"unsubscribe"'), 1);

    const forged = await fetch(`${unsubscribeUrl}/unsubscribe?token=forged`, { method: 'POST' });
    assert.equal(forged.status, 400);
  });

  test('SendGrid posts signed events for that email: rows go to warehouse-email_events once, a spam report suppresses, a forged post changes nothing', async () => {
    const mail = sendgrid!.mails.find((m) => JSON.stringify(m.body).includes('cleo@example.com'))!;
    const sendId = (mail.body.custom_args as Record<string, string>).send_id!;
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify([
      { email: 'cleo@example.com', timestamp: ts, event: 'delivered', sg_event_id: 'gcp-sg-1', sg_message_id: 'm.1', send_id: sendId, campaign_id: 'cart-abandonment' },
      { email: 'cleo@example.com', timestamp: ts, event: 'spamreport', sg_event_id: 'gcp-sg-2', sg_message_id: 'm.1', send_id: sendId, campaign_id: 'cart-abandonment' },
    ]);
    const post = (signer = webhookKeys.privateKey) =>
      fetch(`${sendgridEventsUrl}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-timestamp': String(ts),
          'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(String(ts) + body), signer).toString('base64'),
        },
        body,
      });
    assert.equal((await post(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)).status, 403);
    assert.equal((await post()).status, 200);
    assert.equal((await post()).status, 200, 'a retried batch is taken again, idempotently');
    await awaitMessages('warehouse-email_events', (m) => m.data.toString().includes('gcp-sg-2'), 1);
    const rows = rowsOf('warehouse-email_events').filter((row) => row.send_id === sendId && row.source === 'sendgrid');
    assert.deepEqual([...new Set(rows.map((row) => `${String(row.email_event_id)} ${String(row.event_type)} ${String(row.person_id)}`))].sort(), [
      `sendgrid:gcp-sg-1 delivered ${personId}`,
      `sendgrid:gcp-sg-2 spamreport ${personId}`,
    ], 'the same two rows, however often posted (BigQuery keeps one per email_event_id through email_events_deduped)');
    assert.ok((await store.getProfile(personId))?.traits.email_complained_at, 'the complaint is on the profile before the response');
  });
});

describe('GCP catalog journeys on the emulators: onCatalogUpdate → journey-fanout → fanOutJourney → a journey timer', { skip: skip ?? false }, () => {
  const product = 'gcp-tent';
  const catalogUpdate = (messageId: string, properties: Record<string, unknown>) => ({ type: 'track', event: 'Catalog Updated', userId: 'shop-backend', messageId, properties: { product_id: product, ...properties } });
  /** Posts through collect, then pushes each message of `topic` to `urls` as Pub/Sub would. */
  const deliver = async (topic: Topic, ids: string[], ...targets: Array<[url: string, subscription: string]>) => {
    const messages = await awaitMessages(topic, hasEventId(...ids), ids.length);
    for (const id of ids) {
      for (const [url, subscription] of targets) assert.equal((await push(toReceived(messages.find(hasEventId(id))!), url, subscription)).status, 204, `${id} → ${subscription}`);
    }
  };
  const pagesOf = () => received.get('journey-fanout')!.filter((m) => m.data.toString().includes(product));

  test('a restock publishes one fan-out page; fanOutJourney arms the back-in-stock timer of the person who asked, once', async () => {
    assert.equal((await postBatch([catalogUpdate('gcp-tent-sold-out', { name: 'Tent', price: 249, currency: 'EUR', stock: 0, category: 'Camping', url: 'https://shop.example/p/gcp-tent' })])).status, 200);
    await deliver('events-catalog', ['gcp-tent-sold-out'], [catalogUrl, 'events-catalog-push']);
    assert.equal(pagesOf().length, 0, 'a product first seen sold out fires nothing');

    assert.equal(
      (
        await postBatch([
          { type: 'identify', userId: 'user-gcp-waiter', messageId: 'gcp-waiter-identify', traits: { email: 'wendy@example.com' } },
          { type: 'track', event: 'Back In Stock Requested', userId: 'user-gcp-waiter', messageId: 'gcp-waiter-ask', properties: { product_id: product } },
        ])
      ).status,
      200,
    );
    // The profile fold and the product-interest store each take the priority topic (two subscriptions on GCP).
    await deliver('events-priority', ['gcp-waiter-identify', 'gcp-waiter-ask'], [priorityUrl, 'events-priority-push'], [interestUrl, 'events-priority-interest-push']);
    const personId = await store.findPersonId('user:user-gcp-waiter');
    assert.ok(personId);

    assert.equal((await postBatch([catalogUpdate('gcp-tent-restock', { stock: 2 })])).status, 200);
    await deliver('events-catalog', ['gcp-tent-restock'], [catalogUrl, 'events-catalog-push']);
    const deadline = Date.now() + 20_000;
    while (pagesOf().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const [page] = pagesOf();
    assert.ok(page, 'onCatalogUpdate published the first page to journey-fanout');
    assert.equal(page.attributes.campaign_id, 'back-in-stock');
    const first = JSON.parse(page.data.toString('utf8')) as { trigger: unknown; cursor: unknown; armed: unknown };
    assert.deepEqual(first.trigger, { kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: product, event_id: 'gcp-tent-sold-out', stock: 2 }, 'a restock is named by the update that set the stock to 0');
    assert.deepEqual([first.cursor, first.armed], [null, 0]);

    assert.equal((await push(toReceived(page), fanOutUrl, 'journey-fanout-push')).status, 204);
    const timers = (await store.listTimers(personId)).filter((timer) => timer.campaign_id === 'back-in-stock');
    assert.equal(timers.length, 1, 'one back-in-stock timer for the person who asked');
    // A redelivered page arms nobody twice, and a one-page audience publishes no next page.
    assert.equal((await push({ ...toReceived(page), deliveryAttempt: 2 }, fanOutUrl, 'journey-fanout-push')).status, 204);
    assert.equal((await store.listTimers(personId)).filter((timer) => timer.campaign_id === 'back-in-stock').length, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(pagesOf().length, 1);
  });

  test('fanOutJourney acks a message that is not a page and dead-letters it to events-invalid', async () => {
    const garbage: ReceivedMessage = { data: Buffer.from('{"page":"gcp-not-a-page"}'), attributes: {}, messageId: 'gcp-fanout-garbage', publishTime: new Date().toISOString(), deliveryAttempt: 1 };
    assert.equal((await push(garbage, fanOutUrl, 'journey-fanout-push')).status, 204);
    const [dead] = await awaitMessages('events-invalid', (m) => m.data.toString().includes('gcp-not-a-page'), 1);
    assert.equal(deadLetterOf(dead!).stage, 'journey-fanout');
  });
});
