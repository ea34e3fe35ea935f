import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseEmbeddedConfig, warehouseDatasetsOf } from './config.ts';

const withDir = (run: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-config-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('defaults: port 8080 on loopback, consumers on', () =>
  withDir((dir) => {
    const config = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a' });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.consumers, true);
  }));

test('NUDGE_WRITE_KEYS is a trimmed comma-separated list', () =>
  withDir((dir) => {
    const config = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: ' one, two ,,' });
    assert.deepEqual(config.writeKeys, ['one', 'two']);
    assert.equal(config.devWriteKey, null);
  }));

test('without write keys a development key is created once and reused', () =>
  withDir((dir) => {
    const first = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir });
    const second = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir });
    assert.match(first.devWriteKey ?? '', /^dev_[0-9a-f]{32}$/);
    assert.equal(second.devWriteKey, first.devWriteKey);
    assert.deepEqual(second.writeKeys, [first.devWriteKey]);
    assert.equal(readFileSync(join(dir, 'dev-write-key'), 'utf8').trim(), first.devWriteKey);
  }));

test('bad settings fail with a message naming the variable', () =>
  withDir((dir) => {
    assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, PORT: 'eighty' }), (error: unknown) => error instanceof ConfigError && /PORT/.test(error.message));
    assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: ' , ' }), /NUDGE_WRITE_KEYS/);
    assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a', NUDGE_CONSUMERS: 'maybe' }), /NUDGE_CONSUMERS/);
    assert.equal(parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a', NUDGE_CONSUMERS: 'off' }).consumers, false);
  }));

test('NUDGE_SERVER_WRITE_KEYS: a trimmed list of keys that may also speak for the shop', () =>
  withDir((dir) => {
    const config = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'browser', NUDGE_SERVER_WRITE_KEYS: ' srv-1, srv-2 ,' });
    assert.deepEqual(config.writeKeys, ['browser']);
    assert.deepEqual(config.serverWriteKeys, ['srv-1', 'srv-2']);
    assert.deepEqual(parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'browser' }).serverWriteKeys, []);
    assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a', NUDGE_SERVER_WRITE_KEYS: ' , ' }), ConfigError);
  }));

test('the generated development key is also a server key, unless server keys are set', () =>
  withDir((dir) => {
    const dev = parseEmbeddedConfig({ NUDGE_DATA_DIR: dir });
    assert.deepEqual(dev.serverWriteKeys, [dev.devWriteKey]);
    assert.deepEqual(parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_SERVER_WRITE_KEYS: 'srv' }).serverWriteKeys, ['srv']);
  }));

test('NUDGE_SHOP_DOMAINS: hosts catalog links may use; default the host of NUDGE_SHOP_URL', () =>
  withDir((dir) => {
    const base = { NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a' };
    assert.deepEqual(parseEmbeddedConfig(base).shopHosts, ['shop.example']);
    assert.deepEqual(parseEmbeddedConfig({ ...base, NUDGE_SHOP_URL: 'https://www.My-Shop.com/de' }).shopHosts, ['www.my-shop.com']);
    assert.deepEqual(parseEmbeddedConfig({ ...base, NUDGE_SHOP_DOMAINS: 'my-shop.com, CDN.example.net' }).shopHosts, ['my-shop.com', 'cdn.example.net']);
    assert.throws(() => parseEmbeddedConfig({ ...base, NUDGE_SHOP_DOMAINS: 'my shop.com' }), /NUDGE_SHOP_DOMAINS/);
    assert.throws(() => parseEmbeddedConfig({ ...base, NUDGE_SHOP_DOMAINS: 'https://my-shop.com/path' }), /NUDGE_SHOP_DOMAINS/);
  }));

describe('the SendGrid webhook key', () => {
  test('unset: a development key pair is made once in the data dir and kept', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nudge-webhook-key-'));
    try {
      const first = parseEmbeddedConfig({ NUDGE_DATA_DIR: join(dataDir, 'new') });
      const second = parseEmbeddedConfig({ NUDGE_DATA_DIR: join(dataDir, 'new') });
      assert.equal(first.webhook.verify, 'signed');
      assert.ok(first.webhook.verify === 'signed' && first.webhook.devKey);
      const der = (c: typeof first) => (c.webhook.verify === 'signed' ? c.webhook.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') : '');
      assert.equal(der(first), der(second));
      assert.equal(statSync(join(dataDir, 'new', 'webhook-dev-key.pem')).mode & 0o777, 0o600);
      assert.equal(statSync(join(dataDir, 'new')).mode & 0o077, 0, 'a new data dir (profiles, warehouse, outbox: personal data) is the owner\'s alone');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("SendGrid's key replaces it; off must be said explicitly; both at once, or a key that is not one, stop start-up", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nudge-webhook-key-'));
    try {
      const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
      const signed = parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, SENDGRID_WEBHOOK_PUBLIC_KEY: key }).webhook;
      assert.ok(signed.verify === 'signed' && !signed.devKey);
      assert.equal(parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, NUDGE_WEBHOOK_VERIFY: 'off' }).webhook.verify, 'off');
      assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, NUDGE_WEBHOOK_VERIFY: 'off', SENDGRID_WEBHOOK_PUBLIC_KEY: key }), /both set/);
      assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, SENDGRID_WEBHOOK_PUBLIC_KEY: 'abc' }), /SENDGRID_WEBHOOK_PUBLIC_KEY/);
      assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, NUDGE_WEBHOOK_VERIFY: 'no' }), /NUDGE_WEBHOOK_VERIFY must be "on" or "off"/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('warehouseDatasetsOf', () => {
  test('the deployed dataset names --target gcp reads, once each; none by default', () => {
    assert.deepEqual(warehouseDatasetsOf({}), []);
    assert.deepEqual(warehouseDatasetsOf({ NUDGE_BIGQUERY_DATASET: 'analytics_prod', NUDGE_BQ_DATASET: 'analytics_prod' }), ['analytics_prod']);
    assert.deepEqual(warehouseDatasetsOf({ NUDGE_BIGQUERY_DATASET: 'a', NUDGE_BQ_DATASET: 'b' }), ['a', 'b']);
  });

  test('a name that cannot be a dataset id stops start-up, naming the variable', () => {
    assert.throws(() => warehouseDatasetsOf({ NUDGE_BQ_DATASET: 'my-data' }), (error: Error) => error instanceof ConfigError && /NUDGE_BQ_DATASET must be a dataset id/.test(error.message));
  });
});

test('NUDGE_INTEREST_RETENTION: how long product interests are kept, 90 days unless set; under 7 days refused', () =>
  withDir((dir) => {
    assert.equal(parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a' }).interestRetentionMs, 90 * 86_400_000);
    assert.equal(parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a', NUDGE_INTEREST_RETENTION: '30d' }).interestRetentionMs, 30 * 86_400_000);
    assert.throws(() => parseEmbeddedConfig({ NUDGE_DATA_DIR: dir, NUDGE_WRITE_KEYS: 'a', NUDGE_INTEREST_RETENTION: '1d' }), (error: unknown) => error instanceof ConfigError && /NUDGE_INTEREST_RETENTION/.test(error.message));
  }));
