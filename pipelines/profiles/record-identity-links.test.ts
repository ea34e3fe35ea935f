import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../shared/clock.ts';
import type { WarehouseRow } from '../warehouse/warehouse.ts';
import { makeEvent } from './event-fixtures.ts';
import { createFoldEvents } from './fold-events.ts';
import { createInMemoryProfileStore } from './in-memory-profile-store.ts';
import { identityRowsOf, recordingIdentityLinks } from './record-identity-links.ts';
import { personIdentityRow } from './person-identity-row.ts';

function setup(options: { failQueue?: boolean } = {}) {
  const store = createInMemoryProfileStore();
  const clock = createManualClock('2026-03-01T12:00:00.000Z');
  let n = 0;
  const rows: WarehouseRow[] = [];
  const fold = recordingIdentityLinks(createFoldEvents({ store, clock, newPersonId: () => `p-${++n}` }), {
    clock,
    facts: {
      insertRows: async (table, inserted) => {
        if (options.failQueue) throw new Error('bus unavailable');
        assert.equal(table, 'person_identities');
        rows.push(...inserted);
      },
    },
  });
  const linksNow = () => rows.map((row) => `${String(row.identity_kind)}:${String(row.identity_value)} → ${String(row.person_id)}`);
  return { fold, rows, linksNow, clock };
}

describe('person_identities rows from the profile stage', () => {
  test('a new browser, then a login: each new link once; browsing a known browser again writes nothing', async () => {
    const { fold, linksNow, rows } = setup();
    await fold([makeEvent('page', { anonymous_id: 'a-1' })]);
    await fold([makeEvent('page', { anonymous_id: 'a-1' }), makeEvent('product_viewed', { anonymous_id: 'a-1', properties: { product_id: 'x' } })]);
    await fold([makeEvent('identify', { anonymous_id: 'a-1', user_id: 'u-1', email: 'Ann@Example.com' })]);
    assert.deepEqual(linksNow(), ['anonymous_id:a-1 → p-1', 'email:ann@example.com → p-1', 'user_id:u-1 → p-1']);
    assert.deepEqual(rows[0], personIdentityRow('anonymous_id', 'a-1', 'p-1', '2026-03-01T12:00:00.000Z'));
  });

  test('two devices merged by a login: the absorbed person points at the survivor, and so do all its identities', async () => {
    const { fold, linksNow } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'laptop', user_id: 'u-1' })]);
    await fold([makeEvent('page', { anonymous_id: 'phone', email: 'ann@example.com' })]);
    const before = linksNow().length;
    await fold([makeEvent('identify', { anonymous_id: 'phone', user_id: 'u-1' })]);
    assert.deepEqual(linksNow().slice(before).sort(), ['anonymous_id:phone → p-1', 'email:ann@example.com → p-1', 'person:p-2 → p-1']);
  });

  test('a queue that fails fails the fold; the redelivery writes the rows the first delivery lost', async () => {
    let failing = true;
    const store = createInMemoryProfileStore();
    const clock = createManualClock('2026-03-01T12:00:00.000Z');
    const rows: WarehouseRow[] = [];
    const fold = recordingIdentityLinks(createFoldEvents({ store, clock, newPersonId: () => 'p-1' }), {
      clock,
      facts: {
        insertRows: async (_table, inserted) => {
          if (failing) throw new Error('bus unavailable');
          rows.push(...inserted);
        },
      },
    });
    const login = makeEvent('identify', { anonymous_id: 'a-9', user_id: 'u-9' });
    await assert.rejects(fold([login]), /bus unavailable/);
    failing = false;
    const again = await fold([login]);
    assert.deepEqual(again.outcomes.map((o) => o.outcome), ['duplicate']);
    assert.deepEqual(rows.map((r) => `${String(r.identity_kind)}:${String(r.identity_value)} → ${String(r.person_id)}`).sort(), ['anonymous_id:a-9 → p-1', 'user_id:u-9 → p-1']);
  });

  test('identityRowsOf: kinds named as the table names them; the same link is the same row id', () => {
    const rows = identityRowsOf({ linked: [{ person_id: 'p-1', keys: ['anon:a', 'user:u', 'email:e@x.io'] }], merged: [{ from: 'p-2', into: 'p-1' }] }, new Date('2026-03-01T00:00:00.000Z'));
    assert.deepEqual(rows.map((r) => r.identity_kind), ['anonymous_id', 'user_id', 'email', 'person']);
    const again = identityRowsOf({ linked: [{ person_id: 'p-1', keys: ['anon:a'] }], merged: [] }, new Date('2026-03-02T00:00:00.000Z'));
    assert.equal(again[0]!.identity_link_id, rows[0]!.identity_link_id);
    assert.notEqual(identityRowsOf({ linked: [{ person_id: 'p-3', keys: ['anon:a'] }], merged: [] }, new Date())[0]!.identity_link_id, rows[0]!.identity_link_id);
  });
});
