import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

// Issue 7, item 1 ("done when"): a signed SendGrid-format webhook for a real send lands in
// email_events exactly once even when posted three times; the bounced (and the complaining)
// person gets no further email; a bad signature stores nothing.
const writeKey = 'webhook-key';
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

describe('SendGrid Event Webhook on the embedded host', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-webhook-'));
  let runtime: EmbeddedRuntime | undefined;
  after(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(`${runtime!.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const postSigned = (body: string, signer = privateKey) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body), signer).toString('base64');
    return fetch(`${runtime!.url}/webhooks/sendgrid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
      body,
    });
  };
  const outbox = join(dataDir, 'outbox');
  const emails = () => (existsSync(outbox) ? readdirSync(outbox).filter((name) => name.endsWith('.eml')).length : 0);
  const waitFor = async (check: () => Promise<boolean> | boolean, what: string) => {
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) if (await check()) return;
    assert.fail(`timed out waiting for ${what}`);
  };
  const cart = (userId: string, cartId: string, items: number) => ({
    type: 'track', event: items > 0 ? 'Product Added' : 'Product Removed', userId,
    properties: { cart_id: cartId, product_id: 'jacket-1', name: 'Rain jacket', price: 129, quantity: 1 },
  });

  test('events for a real send land once, suppress the bounced and the complaining person, and a bad signature stores nothing', async () => {
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '1s');
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({
        PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_TEMPLATES_DIR: templatesDir, NUDGE_HOLDOUT_PERCENT: '0', NUDGE_QUIET_HOURS: 'off',
        SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      }),
      { log: () => {} },
    );
    const people = [
      { type: 'identify', userId: 'u-ann', traits: { email: 'ann@example.com', email_marketing_consent: true } },
      { type: 'identify', userId: 'u-bob', traits: { email: 'bob@example.com', email_marketing_consent: true } },
    ];
    assert.equal((await post('/v1/batch', { batch: [...people, cart('u-ann', 'c-ann', 1), cart('u-bob', 'c-bob', 1)] })).status, 200);
    await waitFor(() => emails() === 2, 'the two cart emails');
    // The send rows are queued after the mailer wrote the file: wait for them, not only for the files.
    await waitFor(async () => {
      await runtime!.bus.whenIdle();
      return (await runtime!.warehouse.query('SELECT send_id FROM nudge.email_sends')).length === 2;
    }, 'the two email_sends rows');
    const sends = (await runtime.warehouse.query("SELECT send_id, person_id FROM nudge.email_sends ORDER BY person_id")) as { send_id: string; person_id: string }[];
    assert.equal(sends.length, 2);
    // trigger_key names the cart filling: JSON [cart_id, opened_after_event_id].
    const sendOf = async (cartId: string) => {
      const rows = (await runtime!.warehouse.query("SELECT send_id FROM nudge.email_sends WHERE JSON_VALUE(trigger_key, '$[0]') = @cart", { cart: cartId })) as { send_id: string }[];
      assert.equal(rows.length, 1, cartId);
      return rows[0]!.send_id;
    };
    const annSend = await sendOf('c-ann');
    const bobSend = await sendOf('c-bob');
    const ts = Math.floor(Date.now() / 1000) - 60;
    const sg = (event: string, sendId: string, extra: Record<string, unknown> = {}) => ({
      email: sendId === annSend ? 'ann@example.com' : 'bob@example.com', timestamp: ts, sg_event_id: `${event}-${String(extra.n ?? 0)}-${sendId.slice(0, 6)}`,
      sg_message_id: 'msg.filter', send_id: sendId, campaign_id: 'cart-abandonment', event, ...extra,
    });
    const batch = JSON.stringify([
      sg('processed', annSend), sg('delivered', annSend), sg('open', annSend, { useragent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148' }), sg('open', annSend, { n: 1, sg_machine_open: true }),
      sg('click', annSend, { url: 'https://shop.example/products/jacket-1', url_offset: { index: 0, type: 'html' } }),
      sg('bounce', annSend, { type: 'bounce', status: '5.1.1' }), sg('spamreport', bobSend),
    ]);

    const forged = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    assert.equal((await postSigned(batch, forged)).status, 403, 'signed with another key');
    for (let attempt = 0; attempt < 3; attempt++) assert.equal((await postSigned(batch)).status, 200, `post ${attempt + 1}`);
    await runtime.bus.whenIdle();
    const rows = await runtime.warehouse.query('SELECT event_type, is_machine, person_id, COUNT(*) AS n FROM nudge.email_events GROUP BY ALL ORDER BY event_type, is_machine');
    const annPerson = sends.find((s) => s.send_id === annSend)!.person_id;
    const bobPerson = sends.find((s) => s.send_id === bobSend)!.person_id;
    assert.deepEqual(rows, [
      { event_type: 'bounce', is_machine: false, person_id: annPerson, n: 1 },
      { event_type: 'click', is_machine: false, person_id: annPerson, n: 1 },
      { event_type: 'delivered', is_machine: false, person_id: annPerson, n: 1 },
      { event_type: 'open', is_machine: false, person_id: annPerson, n: 1 },
      { event_type: 'open', is_machine: true, person_id: annPerson, n: 1 },
      { event_type: 'processed', is_machine: false, person_id: annPerson, n: 1 },
      { event_type: 'spamreport', is_machine: false, person_id: bobPerson, n: 1 },
    ]);

    // Who is who reached the warehouse too (the profile stage writes person_identities).
    assert.deepEqual(
      await runtime.warehouse.query('SELECT identity_kind, identity_value FROM nudge.person_identities WHERE person_id = @person ORDER BY identity_kind', { person: annPerson }),
      [{ identity_kind: 'email', identity_value: 'ann@example.com' }, { identity_kind: 'user_id', identity_value: 'u-ann' }],
    );

    // A new cart filling each (emptied, then filled again): the next decision sees the suppression.
    assert.equal((await post('/v1/batch', { batch: [cart('u-ann', 'c-ann', 0), cart('u-bob', 'c-bob', 0)] })).status, 200);
    await runtime.bus.whenIdle();
    assert.equal((await post('/v1/batch', { batch: [cart('u-ann', 'c-ann', 1), cart('u-bob', 'c-bob', 1)] })).status, 200);
    await waitFor(async () => {
      await runtime!.bus.whenIdle();
      const skips = await runtime!.warehouse.query("SELECT reason FROM nudge.decisions WHERE outcome = 'skip' ORDER BY reason");
      return skips.length === 2;
    }, 'the two skips');
    assert.deepEqual(await runtime.warehouse.query("SELECT reason FROM nudge.decisions WHERE outcome = 'skip' ORDER BY reason"), [{ reason: 'suppressed_bounced' }, { reason: 'suppressed_complained' }]);
    assert.equal(emails(), 2, 'no further email to either');
  });
});
