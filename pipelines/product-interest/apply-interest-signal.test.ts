import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { applyInterestSignal, RECENT_EVENT_IDS, toProductInterest, type StoredProductInterest } from './apply-interest-signal.ts';
import type { InterestSignal } from './interest-signals.ts';
import { T } from './interest-fixtures.ts';

const signal = (overrides: Partial<InterestSignal>): InterestSignal => ({ kind: 'view', product_id: 'p1', identity: 'anon:a', event_id: 'e1', at: T(0), out_of_stock: false, category: null, ...overrides });
const applyAll = (signals: readonly InterestSignal[]) => signals.reduce<StoredProductInterest | null>((record, s) => applyInterestSignal(record, s).record, null);

describe('applyInterestSignal', () => {
  test('each kind sets its instant; interest kinds move first_interest_at and, out of stock, out_of_stock_interest_at', () => {
    const record = applyAll([
      signal({ kind: 'view', event_id: 'v1', at: T(10) }),
      signal({ kind: 'carted', event_id: 'c1', at: T(20), out_of_stock: true }),
      signal({ kind: 'requested', event_id: 'r1', at: T(5) }),
      signal({ kind: 'bought', event_id: 'b1', at: T(1), out_of_stock: true }),
    ])!;
    assert.deepStrictEqual(toProductInterest(record), {
      product_id: 'p1',
      identity: 'anon:a',
      view_count: 1,
      last_viewed_at: T(10),
      last_carted_at: T(20),
      requested_at: T(5),
      bought_at: T(1),
      out_of_stock_interest_at: T(20),
      first_interest_at: T(5),
    });
  });

  test('a purchase-only record reads its purchase as first_interest_at; a later view takes its own time', () => {
    const bought = applyAll([signal({ kind: 'bought', event_id: 'b1', at: T(1) })])!;
    assert.equal(toProductInterest(bought).first_interest_at, T(1));
    assert.equal(toProductInterest(applyInterestSignal(bought, signal({ event_id: 'v', at: T(30) })).record).first_interest_at, T(30));
  });

  test('the same view twice counts once and reports itself as not new', () => {
    const once = applyInterestSignal(null, signal({}));
    const twice = applyInterestSignal(once.record, signal({}));
    assert.equal(once.isNew, true);
    assert.equal(twice.isNew, false);
    assert.deepStrictEqual(twice.record, once.record);
  });

  test('keeps at most RECENT_EVENT_IDS ids, the newest by time', () => {
    const signals = Array.from({ length: RECENT_EVENT_IDS + 5 }, (_, i) => signal({ event_id: `e${String(i).padStart(3, '0')}`, at: T(i) }));
    const record = applyAll(signals)!;
    assert.equal(record.recent_event_ids.length, RECENT_EVENT_IDS);
    assert.equal(record.recent_event_ids[0]?.event_id, 'e005');
    assert.equal(record.view_count, RECENT_EVENT_IDS + 5);
  });

  test('property: any order, with redeliveries, gives the record a simple reference computes', () => {
    const kinds = ['view', 'carted', 'requested', 'bought'] as const;
    const arbSignal = fc.record({ kind: fc.constantFrom(...kinds), n: fc.integer({ min: 0, max: 30 }), minute: fc.integer({ min: 0, max: 600 }), out_of_stock: fc.boolean() });
    fc.assert(
      fc.property(fc.array(arbSignal, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), (raw, repeats) => {
        // One event id per (kind, n): its time and stock are fixed, as a redelivery's are.
        const byId = new Map(raw.map((r) => [`${r.kind}-${r.n}`, signal({ kind: r.kind, event_id: `${r.kind}-${r.n}`, at: T(r.minute), out_of_stock: r.out_of_stock })]));
        const unique = [...byId.values()];
        const delivered = [...unique, ...repeats.map((i) => unique[i % unique.length]!)];
        const shuffled = [...delivered].reverse();
        const a = toProductInterest(applyAll(delivered)!);
        const b = toProductInterest(applyAll(shuffled)!);
        assert.deepStrictEqual(a, b);
        const max = (list: InterestSignal[]) => (list.length === 0 ? null : list.map((s) => s.at).sort().pop()!);
        const of = (kind: InterestSignal['kind']) => unique.filter((s) => s.kind === kind);
        const interest = unique.filter((s) => s.kind !== 'bought');
        assert.deepStrictEqual(a, {
          product_id: 'p1',
          identity: 'anon:a',
          view_count: of('view').length,
          last_viewed_at: max(of('view')),
          last_carted_at: max(of('carted')),
          requested_at: max(of('requested')),
          bought_at: max(of('bought')),
          out_of_stock_interest_at: max(interest.filter((s) => s.out_of_stock)),
          first_interest_at: interest.length > 0 ? interest.map((s) => s.at).sort()[0]! : max(of('bought'))!,
        });
      }),
    );
  });
});
