import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { readOutboxEmail } from '../../functions/embedded/outbox-mailer.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { TRACKING_PIXEL } from '../../functions/track.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

// Issue 7, item 2 end to end: a sent email's click link redirects to the shop over real HTTP on
// the embedded host, its pixel answers, and both land in the warehouse's email_events.
const writeKey = 'track-e2e-key';
const waitMs = 1000;
const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('first-party open and click tracking on the embedded runtime', () => {
  let dataDir: string;
  let runtime: EmbeddedRuntime;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-track-'));
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), `${waitMs / 1000}s`);
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({
        PORT: '0',
        NUDGE_DATA_DIR: dataDir,
        NUDGE_WRITE_KEYS: writeKey,
        NUDGE_TEMPLATES_DIR: templatesDir,
        NUDGE_HOLDOUT_PERCENT: '0',
        NUDGE_QUIET_HOURS: 'off',
        NUDGE_SHOP_URL: 'https://shop.example',
      }),
      { log: () => {} },
    );
  });

  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a sent email: its click link redirects to the utm-tagged shop URL and its pixel loads; both are email_events rows', async () => {
    const batch = [
      { type: 'identify', userId: 'u-track', traits: { email: 'tracked@example.com', email_marketing_consent: true } },
      { type: 'track', event: 'Product Added', userId: 'u-track', properties: { cart_id: 'cart-t', product_id: 'mug-1', name: 'Mug', price: 12, quantity: 1, url: 'https://shop.example/p/mug-1' } },
    ];
    const posted = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    assert.equal(posted.status, 200);
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, waitMs + 300));
    await runtime.sweepTimers();

    const files = readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'));
    assert.equal(files.length, 1);
    const email = (await readOutboxEmail(dataDir, files[0]!.replace(/\.eml$/, '')))!;
    const clicks = [...(email.html ?? '').matchAll(/href="(http:\/\/127\.0\.0\.1:\d+\/c\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(clicks.length >= 2, 'the shop links are click redirects');
    const pixel = /<img src="(http:\/\/127\.0\.0\.1:\d+\/o\/[^"]+\.gif)"/.exec(email.html ?? '')?.[1];
    assert.ok(pixel);

    // Late enough after sending not to count as a scanner's click; the open, seconds after
    // sending, is kept as a machine open (a prefetch on delivery).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const clicked = await fetch(clicks[0]!, { redirect: 'manual', headers: { 'user-agent': browser } });
    assert.equal(clicked.status, 302);
    const location = new URL(clicked.headers.get('location')!);
    assert.equal(location.origin, 'https://shop.example');
    assert.equal(location.searchParams.get('utm_campaign'), 'cart-abandonment');

    const opened = await fetch(pixel, { headers: { 'user-agent': browser } });
    assert.equal(opened.status, 200);
    assert.ok(Buffer.from(await opened.arrayBuffer()).equals(TRACKING_PIXEL));

    // A tampered click link: a plain 400, never a redirect.
    const tampered = clicks[0]!.replace(/\/c\/(.)/, (_, first: string) => `/c/${first === 'A' ? 'B' : 'A'}`);
    const refused = await fetch(tampered, { redirect: 'manual' });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('location'), null);

    // A link scanner's HEAD: answered alike, kept as a machine click.
    const scanned = await fetch(clicks[1]!, { method: 'HEAD', redirect: 'manual', headers: { 'user-agent': browser } });
    assert.equal(scanned.status, 302);
    // A forged pixel: 400, and the very same bytes.
    const forgedPixel = await fetch(pixel.replace(/\/o\/(.)/, (_, first: string) => `/o/${first === 'A' ? 'B' : 'A'}`));
    assert.equal(forgedPixel.status, 400);
    assert.ok(Buffer.from(await forgedPixel.arrayBuffer()).equals(TRACKING_PIXEL));

    await runtime.bus.whenIdle();
    const sends = await runtime.warehouse.query('SELECT send_id FROM nudge.email_sends');
    const events = await runtime.warehouse.query('SELECT send_id, campaign_id, event_type, source, is_machine, machine_reason, url, link_index FROM nudge.email_events ORDER BY event_type, link_index');
    assert.deepEqual(events, [
      { send_id: sends[0]!.send_id, campaign_id: 'cart-abandonment', event_type: 'click', source: 'first_party', is_machine: false, machine_reason: null, url: location.toString(), link_index: 0 },
      { send_id: sends[0]!.send_id, campaign_id: 'cart-abandonment', event_type: 'click', source: 'first_party', is_machine: true, machine_reason: 'head_request', url: scanned.headers.get('location'), link_index: 1 },
      { send_id: sends[0]!.send_id, campaign_id: 'cart-abandonment', event_type: 'open', source: 'first_party', is_machine: true, machine_reason: 'too_soon_after_delivery', url: null, link_index: null },
    ]);
  });
});
