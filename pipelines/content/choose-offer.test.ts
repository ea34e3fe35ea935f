import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferRule } from '../campaigns/campaign-definition.ts';
import { chooseOffer } from './choose-offer.ts';

const rules = [
  { when: { min_cart_value: 100, has_ordered_before: false }, offer: { kind: 'percent', value: 10, code: 'WELCOME10', expires_in: '48h' } },
  { when: { has_ordered_before: true }, offer: { kind: 'amount', value: 5, code: 'THANKS5', expires_in: '1d' } },
  { offer: { kind: 'free_shipping', code: 'FREESHIP', expires_in: '30m' } },
].map((rule) => OfferRule.parse(rule));
const now = new Date('2026-03-01T10:00:00.000Z');

test('first matching rule wins, with expiry from the injected now', () => {
  assert.deepEqual(chooseOffer(rules, { cart_value: 100, currency: 'EUR', has_ordered_before: false }, now), {
    kind: 'percent',
    value: 10,
    code: 'WELCOME10',
    expires_at: '2026-03-03T10:00:00.000Z',
    label: '10% off',
  });
  const returning = chooseOffer(rules, { cart_value: 250, currency: 'EUR', has_ordered_before: true }, now);
  assert.equal(returning?.code, 'THANKS5');
  assert.equal(returning?.label, '€5.00 off');
  assert.equal(returning?.expires_at, '2026-03-02T10:00:00.000Z');
});

test('below the cart value threshold falls through to the catch-all', () => {
  const offer = chooseOffer(rules, { cart_value: 99.99, currency: 'USD', has_ordered_before: false }, now);
  assert.deepEqual(offer, { kind: 'free_shipping', value: null, code: 'FREESHIP', expires_at: '2026-03-01T10:30:00.000Z', label: 'Free shipping' });
});

test('no matching rule means no offer', () => {
  assert.equal(chooseOffer(rules.slice(0, 1), { cart_value: 20, currency: 'EUR', has_ordered_before: false }, now), null);
  assert.equal(chooseOffer([], { cart_value: 500, currency: 'EUR', has_ordered_before: false }, now), null);
});

test('offer rules are validated: a percent offer needs a value, free shipping takes none', () => {
  assert.throws(() => OfferRule.parse({ offer: { kind: 'percent', code: 'X', expires_in: '1h' } }), /required for a percent offer/);
  assert.throws(() => OfferRule.parse({ offer: { kind: 'free_shipping', value: 3, code: 'X', expires_in: '1h' } }), /takes no value/);
  assert.throws(() => OfferRule.parse({ offer: { kind: 'percent', value: 150, code: 'X', expires_in: '1h' } }), /at most 100/);
  assert.throws(() => OfferRule.parse({ offer: { kind: 'amount', value: 3, code: 'X', expires_in: 'soon' } }), /expected a duration/);
});

test('a unique offer gets its code from codeFor, with the expiry rounded down to the minute', () => {
  const unique = [OfferRule.parse({ offer: { kind: 'percent', value: 10, code: 'LOOK10', expires_in: '24h', unique: true } })];
  const calls: [string, string][] = [];
  const codeFor = (prefix: string, expiresAt: Date) => {
    calls.push([prefix, expiresAt.toISOString()]);
    return `${prefix}-SIGNED`;
  };
  const offer = chooseOffer(unique, { cart_value: 10, currency: 'EUR', has_ordered_before: false, codeFor }, new Date('2026-03-01T10:00:42.500Z'));
  assert.deepEqual(offer, { kind: 'percent', value: 10, code: 'LOOK10-SIGNED', expires_at: '2026-03-02T10:00:00.000Z', label: '10% off' });
  assert.deepEqual(calls, [['LOOK10', '2026-03-02T10:00:00.000Z']]);
  assert.throws(() => chooseOffer(unique, { cart_value: 10, currency: 'EUR', has_ordered_before: false }, now), /LOOK10 is unique: chooseOffer needs codeFor/);
});

test('static offers ignore codeFor', () => {
  const offer = chooseOffer(rules, { cart_value: 100, currency: 'EUR', has_ordered_before: false, codeFor: () => assert.fail('not called') }, now);
  assert.equal(offer?.code, 'WELCOME10');
});

test('a unique offer: its code is a prefix of 1–7 upper-case letters or digits, and it runs at most 30 days', () => {
  assert.throws(() => OfferRule.parse({ offer: { kind: 'percent', value: 10, code: 'look10', expires_in: '1h', unique: true } }), /1–7 upper-case letters or digits/);
  assert.throws(() => OfferRule.parse({ offer: { kind: 'percent', value: 10, code: 'WELCOME10', expires_in: '1h', unique: true } }), /1–7 upper-case letters or digits/);
  assert.throws(() => OfferRule.parse({ offer: { kind: 'percent', value: 10, code: 'LOOK10', expires_in: '31d', unique: true } }), /at most 30d/);
  assert.equal(OfferRule.parse({ offer: { kind: 'percent', value: 10, code: 'welcome-10', expires_in: '31d', unique: false } }).offer.unique, false);
});
