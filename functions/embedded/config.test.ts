import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseEmbeddedConfig } from './config.ts';

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
