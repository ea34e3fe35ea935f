import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, startRuntimeProcess, waitForHealth } from '../support/embedded-process.ts';
import { startSendGridCapture } from '../support/sendgrid-capture.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

// Issue 3's reliability promise: every event delivered three times, the process killed with
// SIGKILL around the sends and restarted, and still one email per abandoned cart reaches the ESP
// (a SendGrid stand-in on loopback), carrying the content, categories, custom args and headers.
const writeKey = 'once-key';
const carts = 12;

describe('exactly one email per abandoned cart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-once-'));
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('3× delivery and a SIGKILL around the sends still hand each email to SendGrid once', async () => {
    const sendgrid = await startSendGridCapture({ delayMs: 150 });
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '1s');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      NUDGE_DATA_DIR: dataDir,
      PORT: String(port),
      NUDGE_WRITE_KEYS: writeKey,
      NUDGE_TEMPLATES_DIR: templatesDir,
      NUDGE_HOLDOUT_PERCENT: '0',
      NUDGE_QUIET_HOURS: 'off',
      NUDGE_FREQUENCY_CAP: 'off',
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_API_BASE: sendgrid.url,
      // Claims a crash leaves unfinished are judged after 2 s instead of 30 min: the stand-in's
      // activity search has no lag, unlike SendGrid's feed.
      NUDGE_SEND_LEASE_MS: '2000',
      NUDGE_SENDGRID_ACTIVITY_LAG_MS: '1000',
    };
    try {
      child = startRuntimeProcess(env);
      await waitForHealth(base);

      const batch = Array.from({ length: carts }, (_, i) => [
        { type: 'identify', userId: `u-${i}`, messageId: `id-${i}`, traits: { email: `shopper${i}@example.com`, first_name: `Shopper${i}`, email_marketing_consent: true } },
        { type: 'track', event: 'Product Added', userId: `u-${i}`, messageId: `add-${i}`, properties: { cart_id: `c-${i}`, product_id: 'jacket-1', name: 'Rain jacket', price: 129, quantity: 1, url: 'https://shop.example/p/jacket-1', image_url: 'https://cdn.shop.example/j.jpg' } },
      ]).flat();
      for (let copy = 0; copy < 3; copy++) {
        const response = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
        assert.equal(response.status, 200);
      }

      // Kill the process as soon as SendGrid has seen a few emails: others are claimed, in flight
      // or not yet due.
      const deadline = Date.now() + 30_000;
      while (sendgrid.mails.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGKILL');
      await new Promise((resolve) => child?.once('exit', resolve));
      const beforeRestart = sendgrid.mails.length;
      assert.ok(beforeRestart >= 3 && beforeRestart < carts, `killed mid-way (${beforeRestart} of ${carts} sent)`);

      child = startRuntimeProcess(env);
      await waitForHealth(base);
      const done = Date.now() + 60_000;
      while (new Set(sendgrid.mails.map(sendgrid.sendIdOf)).size < carts && Date.now() < done) await new Promise((resolve) => setTimeout(resolve, 100));
      // Give a duplicate, if there were one, the time to show up.
      await new Promise((resolve) => setTimeout(resolve, 3000));

      const perSend = new Map<string, number>();
      for (const mail of sendgrid.mails) perSend.set(sendgrid.sendIdOf(mail)!, (perSend.get(sendgrid.sendIdOf(mail)!) ?? 0) + 1);
      assert.equal(perSend.size, carts, 'one send per abandoned cart');
      assert.deepEqual([...perSend.values()].filter((n) => n !== 1), [], 'no send reached SendGrid twice');

      const recipients = sendgrid.mails.map((mail) => ((mail.body.personalizations as { to: { email: string }[] }[])[0]!.to[0]!.email)).sort();
      assert.deepEqual(recipients, Array.from({ length: carts }, (_, i) => `shopper${i}@example.com`).sort());

      const first = sendgrid.mails[0]!.body as {
        categories: string[];
        custom_args: Record<string, string>;
        headers: Record<string, string>;
        content: { type: string; value: string }[];
        from: { email: string };
      };
      assert.equal(sendgrid.mails[0]!.headers.authorization, 'Bearer SG.test-key');
      assert.deepEqual(first.categories, ['nudge', 'cart-abandonment', 'step-0']);
      assert.deepEqual(Object.keys(first.custom_args).sort(), ['campaign_id', 'send_id', 'variant_id']);
      assert.ok(!JSON.stringify(first.custom_args).includes('@'), 'no personal data in custom args');
      assert.match(first.headers['List-Unsubscribe'] ?? '', /^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=/);
      assert.equal(first.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      const html = first.content.find((part) => part.type === 'text/html')?.value ?? '';
      assert.match(html, /Rain jacket/);
      assert.match(html, /Shopper\d+/);
      assert.equal(first.from.email, 'hello@shop.example');
    } finally {
      child?.kill('SIGTERM');
      await sendgrid.close();
    }
  });
});
