import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chooseVariant } from './choose-variant.ts';

const variants = [{ id: 'a' }, { id: 'b' }];

test('the same campaign and person always get the same variant', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (campaign, person) => {
      assert.equal(chooseVariant(campaign, person, variants), chooseVariant(campaign, person, [...variants]));
    }),
  );
});

test('people split across variants roughly evenly, and differently per campaign', () => {
  const counts = { a: 0, b: 0 };
  let differs = 0;
  for (let i = 0; i < 2000; i++) {
    const id = chooseVariant('cart-abandonment', `person-${i}`, variants).id as 'a' | 'b';
    counts[id]++;
    if (chooseVariant('browse-abandonment', `person-${i}`, variants).id !== id) differs++;
  }
  assert.ok(counts.a > 850 && counts.b > 850, JSON.stringify(counts));
  assert.ok(differs > 800, `campaigns should be assigned independently (${differs} of 2000 differ)`);
});

test('a single variant is always chosen; none is an error', () => {
  assert.equal(chooseVariant('c', 'p', [{ id: 'only' }]).id, 'only');
  assert.throws(() => chooseVariant('c', 'p', []), RangeError);
});
