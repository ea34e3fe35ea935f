import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyToken } from './signed-links.ts';
import { createLinkTracking } from './tracking-links.ts';

const key = 'k'.repeat(32);
const now = new Date('2026-03-01T12:00:00.000Z');
const shopHosts = ['shop.example'];
const tracking = createLinkTracking({ baseUrl: 'https://t.example/nudge', key, send_id: 's-1', person_id: 'p-1', campaign_id: 'cart-abandonment', now, ttlDays: 30, shopHosts });
const tokenOf = (url: string, pattern: RegExp) => pattern.exec(url)?.[1] ?? assert.fail(url);

test('a click link carries send, person, campaign, position, destination, issue time and expiry, signed', () => {
  const url = tracking.clickUrl('https://shop.example/cart?utm_source=nudge', 2);
  const payload = verifyToken(tokenOf(url, /^https:\/\/t\.example\/nudge\/c\/([^/]+)$/), key, now);
  assert.deepEqual(payload, {
    kind: 'click',
    send_id: 's-1',
    person_id: 'p-1',
    campaign_id: 'cart-abandonment',
    url: 'https://shop.example/cart?utm_source=nudge',
    link_index: 2,
    iat: now.getTime() / 1000,
    exp: now.getTime() / 1000 + 30 * 86_400,
  });
  assert.equal(verifyToken(tokenOf(url, /\/c\/([^/]+)$/), key, new Date(now.getTime() + 30 * 86_400_000)), null, 'expired after ttlDays');
});

test('the open pixel carries no URL and no position', () => {
  const payload = verifyToken(tokenOf(tracking.openPixelUrl, /^https:\/\/t\.example\/nudge\/o\/([^/]+)\.gif$/), key, now);
  assert.deepEqual(payload, { kind: 'open', send_id: 's-1', person_id: 'p-1', campaign_id: 'cart-abandonment', iat: now.getTime() / 1000, exp: now.getTime() / 1000 + 30 * 86_400 });
});

test('a destination or position the token schema would refuse is refused when signing, not at the click', () => {
  assert.throws(() => tracking.clickUrl('not a url', 0));
  assert.throws(() => tracking.clickUrl('https://shop.example/', -1), RangeError);
  assert.throws(() => tracking.clickUrl('https://shop.example/', 1.5), RangeError);
  assert.throws(() => tracking.clickUrl('https://shop.example/', 10_001), RangeError);
  assert.throws(() => createLinkTracking({ baseUrl: 'https://t.example', key, send_id: '', person_id: 'p', campaign_id: 'c', now, ttlDays: 1, shopHosts }), 'the shared fields are checked once');
});

test('every link of many emails verifies (the fast signing path stays within the schema)', () => {
  for (let i = 0; i < 50; i++) {
    const links = createLinkTracking({ baseUrl: 'https://t.example', key, send_id: `s-${i}`, person_id: `p-${i}`, campaign_id: 'c', now, ttlDays: 1, shopHosts });
    const url = `https://shop.example/p/${i}?q=${'é'.repeat(i % 3)}&utm_source=nudge`;
    const payload = verifyToken(tokenOf(links.clickUrl(new URL(url).toString(), i), /\/c\/([^/]+)$/), key, now);
    assert.equal(payload?.link_index, i);
    assert.equal(payload?.url, new URL(url).toString());
  }
});

test("only links to the shop's domains get a redirect: anything else (a URL typed as a first name) is left as it is, unsigned", () => {
  for (const url of ['https://evil.example/login', 'https://shop.example.evil.example/', 'http://shop.example/cart', 'https://user@evil.example/']) {
    assert.throws(() => tracking.clickUrl(url, 0), /shop's domains/, url);
  }
  assert.match(tracking.clickUrl('https://www.shop.example/p/1', 0), /\/c\//, 'subdomains are the shop too');
});
