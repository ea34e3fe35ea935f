import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sendId } from './send-id.ts';

test('sendId is deterministic: 32 lowercase hex chars, the same for the same parts', () => {
  const id = sendId('cart-abandonment', 'person-1', 'cart-9', 0);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(sendId('cart-abandonment', 'person-1', 'cart-9', 0), id);
  // Pinned: a change of the formula would re-send every in-flight campaign after a deploy.
  assert.equal(id, 'b12eef23d930ce5633f01d92a14e91fa');
});

test('sendId differs when any part differs, and parts cannot run into each other', () => {
  const ids = new Set([
    sendId('c', 'p', 't', 0),
    sendId('c2', 'p', 't', 0),
    sendId('c', 'p2', 't', 0),
    sendId('c', 'p', 't2', 0),
    sendId('c', 'p', 't', 1),
    sendId('a|b', 'c', 't', 0),
    sendId('a', 'b|c', 't', 0),
    sendId('a', 'bc', 't', 0),
    sendId('ab', 'c', 't', 0),
  ]);
  assert.equal(ids.size, 9);
});

test('sendId rejects a step that is not a non-negative integer', () => {
  assert.throws(() => sendId('c', 'p', 't', -1));
  assert.throws(() => sendId('c', 'p', 't', 1.5));
});
