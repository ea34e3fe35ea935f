import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boughtSinceInterest, dropPercentOf } from './catalog-trigger.ts';
import type { ProductInterest } from '../product-interest/product-interest.ts';

describe('dropPercentOf', () => {
  const cases = [
    { previous: 19.9, now: 17.91, percent: 10 }, // 9.999… in floating point
    { previous: 100, now: 90, percent: 10 },
    { previous: 100, now: 90.01, percent: 9 },
    { previous: 100, now: 75.5, percent: 24 },
    { previous: 0.3, now: 0.2, percent: 33 },
    { previous: 100, now: 99.9, percent: 1 }, // never "0% off"
    { previous: 100, now: 0, percent: 100 },
  ];
  for (const { previous, now, percent } of cases) {
    test(`${previous} → ${now}: ${percent}%`, () => assert.equal(dropPercentOf(previous, now), percent));
  }
});

describe('boughtSinceInterest', () => {
  const interest = (over: Partial<ProductInterest>): ProductInterest => ({
    product_id: 'tent',
    identity: 'user:u-1',
    view_count: 1,
    last_viewed_at: null,
    last_carted_at: null,
    requested_at: null,
    bought_at: null,
    out_of_stock_interest_at: null,
    first_interest_at: '2026-03-01T10:00:00.000Z',
    ...over,
  });
  const t = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const cases: { name: string; interests: ProductInterest[]; bought: boolean }[] = [
    { name: 'no interests', interests: [], bought: false },
    { name: 'viewed, never bought', interests: [interest({ last_viewed_at: t(1) })], bought: false },
    { name: 'bought after the view', interests: [interest({ last_viewed_at: t(1), bought_at: t(2) })], bought: true },
    { name: 'bought at the same instant as the view', interests: [interest({ last_viewed_at: t(1), bought_at: t(1) })], bought: true },
    { name: 'viewed again after buying', interests: [interest({ last_viewed_at: t(3), bought_at: t(2) })], bought: false },
    { name: 'asked to hear after buying', interests: [interest({ last_viewed_at: t(1), requested_at: t(3), bought_at: t(2) })], bought: false },
    { name: 'carted after buying', interests: [interest({ last_carted_at: t(3), bought_at: t(2) })], bought: false },
    { name: 'bought only (no view, add or request)', interests: [interest({ bought_at: t(2) })], bought: true },
    {
      name: 'two identities: viewed on the phone after buying on the laptop',
      interests: [interest({ identity: 'user:u-1', bought_at: t(2), last_viewed_at: t(1) }), interest({ identity: 'anon:phone', last_viewed_at: t(3) })],
      bought: false,
    },
    {
      name: 'two identities: bought on the laptop after viewing on the phone',
      interests: [interest({ identity: 'user:u-1', bought_at: t(4) }), interest({ identity: 'anon:phone', last_viewed_at: t(3) })],
      bought: true,
    },
  ];
  for (const { name, interests, bought } of cases) {
    test(`${name}: ${bought}`, () => assert.equal(boughtSinceInterest(interests), bought));
  }
});
