import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sendId } from './send-id.ts';

test('sendId is deterministic: 32 lowercase hex chars, the same for the same parts', () => {
  const id = sendId('cart-abandonment', '["cart-9","evt-1"]', 0);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(sendId('cart-abandonment', '["cart-9","evt-1"]', 0), id);
  // Pinned: a change of the formula would re-send every in-flight campaign after a deploy.
  assert.equal(id, 'c4ccccb25ee322e1bbdcf1cbb41b8138');
});

test('sendId differs when any part differs, and parts cannot run into each other', () => {
  const ids = new Set([
    sendId('c', 't', 0),
    sendId('c2', 't', 0),
    sendId('c', 't2', 0),
    sendId('c', 't', 1),
    sendId('a|b', 't', 0),
    sendId('a', 'b|t', 0),
    sendId('a', 'bt', 0),
    sendId('ab', 't', 0),
  ]);
  assert.equal(ids.size, 8);
});

test('sendId rejects a step that is not a non-negative integer', () => {
  assert.throws(() => sendId('c', 't', -1), /step must be a non-negative integer, got -1/);
  assert.throws(() => sendId('c', 't', 1.5), /got 1.5/);
});
