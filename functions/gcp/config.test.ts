import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGcpConfig } from './config.ts';

const base = { GOOGLE_CLOUD_PROJECT: 'p', NUDGE_WRITE_KEYS: 'browser' };

test('NUDGE_SERVER_WRITE_KEYS (Secret Manager) is read beside NUDGE_WRITE_KEYS; empty means no server key', () => {
  assert.deepEqual(parseGcpConfig({ ...base, NUDGE_SERVER_WRITE_KEYS: 'srv-1, srv-2' }, { writeKeys: true }).serverWriteKeys, ['srv-1', 'srv-2']);
  assert.deepEqual(parseGcpConfig(base, { writeKeys: true }).serverWriteKeys, []);
});

test('shop domains for catalog links: NUDGE_SHOP_DOMAINS, else the host of NUDGE_SHOP_URL', () => {
  assert.deepEqual(parseGcpConfig({ ...base, NUDGE_SHOP_URL: 'https://www.shop.example/' }, { writeKeys: true }).shopHosts, ['www.shop.example']);
  assert.deepEqual(parseGcpConfig({ ...base, NUDGE_SHOP_DOMAINS: 'shop.example,cdn.example' }, { writeKeys: false }).shopHosts, ['shop.example', 'cdn.example']);
});

test('NUDGE_INTEREST_RETENTION sets how long interest documents live (their expire_at), 90 days unless set', () => {
  assert.equal(parseGcpConfig(base, { writeKeys: true }).interestRetentionMs, 90 * 86_400_000);
  assert.equal(parseGcpConfig({ ...base, NUDGE_INTEREST_RETENTION: '120d' }, { writeKeys: false }).interestRetentionMs, 120 * 86_400_000);
  assert.throws(() => parseGcpConfig({ ...base, NUDGE_INTEREST_RETENTION: 'forever' }, { writeKeys: false }), /NUDGE_INTEREST_RETENTION/);
});
