import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { loadReconcileSql } from '../../functions/reconcile/load-reconcile-sql.ts';
import { createSqliteProfileStore, type SqliteProfileStore } from '../../functions/embedded/sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../../functions/embedded/warehouse/duckdb-warehouse.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { makeEvent } from '../../pipelines/profiles/event-fixtures.ts';
import { createFoldEvents, createPersonIdFactory } from '../../pipelines/profiles/fold-events.ts';
import type { Profile } from '../../pipelines/profiles/profile.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import { recordingIdentityLinks } from '../../pipelines/profiles/record-identity-links.ts';
import { refoldHistory } from '../../pipelines/reconcile/refold-history.ts';
import { runReconciliation } from '../../pipelines/reconcile/run-reconciliation.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

// Issue 8, item 4: profiles corrupted on purpose (a lost order, a stale cart, a wrong counter, a
// consent the history withdrew), beside correct people (one with two devices merged at login).
// The real embedded adapters: SQLite profiles, DuckDB warehouse running sql/reconcile/.
const sql = loadReconcileSql();
let dir: string;
let store: SqliteProfileStore;
let warehouse: Warehouse;
let clock: ReturnType<typeof createManualClock>;
let fold: (events: readonly NudgeEvent[]) => Promise<unknown>;
let runIds = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-reconcile-'));
  clock = createManualClock('2026-03-01T10:30:00.000Z');
  store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  warehouse = await openDuckDbWarehouse({ dataDir: dir });
  const folding = createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock) });
  // As the runtime does: events reach the warehouse, identity links follow each fold.
  const linked = recordingIdentityLinks(folding, { clock, facts: { insertRows: (table, rows) => warehouse.insertRows(table, rows) } });
  fold = async (events) => {
    await warehouse.insertEvents(events);
    return linked(events);
  };
});
afterEach(async () => {
  await store.close();
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const event = (kind: NudgeEvent['kind'], minute: number, who: Partial<NudgeEvent>, properties: Record<string, unknown> = {}, traits: Record<string, unknown> = {}) =>
  makeEvent(kind, { anonymous_id: null, occurred_at: at(minute), received_at: at(minute), properties, traits, ...who });

/** The shoppers, and what each of them did. */
function shoppers() {
  const alice = { anonymous_id: 'anon-alice', email: 'alice@example.com' };
  const bob = { anonymous_id: 'anon-bob', email: 'bob@example.com' };
  const bobOrder = event('order_completed', 5, bob, { order_id: 'o-b2', total: 30.25, products: [{ product_id: 'sku-x', price: 30.25 }] });
  const carolRemoval = event('product_removed', 3, { anonymous_id: 'anon-carol' }, { product_id: 'sku-c' });
  const events = {
    alice: [
      event('product_added', 1, alice, { product_id: 'sku-a', price: 10, quantity: 2 }),
      event('order_completed', 2, alice, { order_id: 'o-a1', total: 20 }),
      event('product_added', 3, alice, { product_id: 'sku-b', price: 4.5 }),
    ],
    bob: [
      event('order_completed', 1, bob, { order_id: 'o-b1', total: 12.5 }),
      event('product_added', 4, bob, { product_id: 'sku-x', price: 30.25 }),
      bobOrder,
      event('product_viewed', 10, bob, { product_id: 'sku-y' }),
    ],
    carol: [event('product_added', 1, { anonymous_id: 'anon-carol' }, { product_id: 'sku-c', price: 3 }), carolRemoval, event('page', 9, { anonymous_id: 'anon-carol' })],
    dave: [event('order_completed', 1, { user_id: 'u-dave' }, { order_id: 'o-d1', revenue: 99.99 })],
    // Two devices, one login each: the second login merges them into one person.
    erin: [
      event('product_added', 1, { anonymous_id: 'anon-erin-phone' }, { product_id: 'sku-e', price: 8 }),
      event('identify', 2, { anonymous_id: 'anon-erin-laptop', user_id: 'u-erin', type: 'identify' }, {}, { email: 'erin@example.com' }),
      event('identify', 6, { anonymous_id: 'anon-erin-phone', user_id: 'u-erin', type: 'identify' }, {}, { email: 'erin@example.com' }),
    ],
    fran: [
      event('identify', 1, { user_id: 'u-fran', email: 'fran@example.com', type: 'identify' }, {}, { email_marketing_consent: true }),
      event('consent_updated', 2, { user_id: 'u-fran' }, { email_marketing: false, source: 'preference_center' }),
    ],
  };
  return { events, bobOrder, carolRemoval };
}

async function personOf(key: string): Promise<Profile> {
  const kind = key.startsWith('u-') ? 'user' : 'anon';
  const personId = await store.findPersonId(`${kind}:${key}` as never);
  assert.ok(personId, `no person for ${key}`);
  const profile = await store.getProfile(personId);
  assert.ok(profile);
  return profile.merged_into ? (await store.getProfile(profile.merged_into))! : profile;
}

/** Overwrites a profile as a defect would have left it (version bumped, written when the events were). */
async function corrupt(profile: Profile, change: (profile: Profile) => Profile): Promise<void> {
  await store.transact(async (tx) => {
    await tx.getProfiles([profile.person_id]);
    tx.putProfile({ ...change(structuredClone(profile)), version: profile.version + 1 });
  });
}

async function seedAndCorrupt() {
  const { events, bobOrder, carolRemoval } = shoppers();
  for (const batch of Object.values(events)) for (const one of batch) {
    // A lost order: Bob's second order reached the history but never his profile (nor the ledger).
    if (one === bobOrder) await warehouse.insertEvents([one]);
    else await fold([one]);
  }
  const people = {
    alice: await personOf('anon-alice'),
    bob: await personOf('anon-bob'),
    carol: await personOf('anon-carol'),
    dave: await personOf('u-dave'),
    erin: await personOf('u-erin'),
    fran: await personOf('u-fran'),
  };
  // A stale cart: Carol's removal never reached the cart.
  const withoutRemoval = refoldHistory(people.carol.person_id, events.carol.filter((e) => e !== carolRemoval), people.carol.created_at);
  await corrupt(people.carol, (p) => ({ ...withoutRemoval, person_id: p.person_id, version: p.version, created_at: p.created_at, updated_at: p.updated_at }));
  // A wrong counter, short of the history (one counting MORE than the history is reported, not
  // fixed: the history may be the one behind — history-gap.ts).
  await corrupt(people.dave, (p) => ({ ...p, orders: { ...p.orders, count: 0 } }));
  // A consent the history withdrew, still saying yes.
  await corrupt(people.fran, (p) => ({ ...p, consent: { email_marketing: { value: true, at: at(1), source: 'identify' } }, clocks: { ...p.clocks, 'consent:email_marketing': { at: at(1), event_id: events.fran[0]!.event_id } } }));
  return { people, events };
}

const expectedDiffs = (people: Awaited<ReturnType<typeof seedAndCorrupt>>['people']) =>
  [
    [people.bob.person_id, 'cart.items'],
    [people.bob.person_id, 'orders.count'],
    [people.bob.person_id, 'orders.last_order_at'],
    [people.bob.person_id, 'orders.revenue'],
    [people.carol.person_id, 'cart.items'],
    [people.dave.person_id, 'orders.count'],
    [people.fran.person_id, 'consent.email_marketing'],
  ].sort((a, b) => (a.join('/') < b.join('/') ? -1 : 1));

const reconcile = (options: { dryRun: boolean; timeBudgetMs?: number }, deps: { store?: ProfileStore } = {}) =>
  runReconciliation({ store: deps.store ?? store, warehouse, clock, sql, newRunId: () => `run-${++runIds}` }, { ...options, pageSize: 2, historyBatchSize: 3, fixBatchSize: 2 });

const diffsOf = async (runId: string) =>
  (await warehouse.query('SELECT person_id, field, outcome, reason FROM reconciliation_diffs WHERE run_id = @run_id ORDER BY person_id, field', { run_id: runId })) as {
    person_id: string;
    field: string;
    outcome: string;
    reason: string | null;
  }[];

describe('nightly reconciliation on the embedded adapters', () => {
  test('--dry-run lists exactly the corrupted fields and changes nothing; a run fixes them; the next night finds nothing', async () => {
    const { people } = await seedAndCorrupt();
    clock.set('2026-03-02T03:00:00.000Z');
    const versionsBefore = await Promise.all(Object.values(people).map(async (p) => (await store.getProfile(p.person_id))!.version));

    const dry = await reconcile({ dryRun: true });
    const dryDiffs = await diffsOf(dry.run_id);
    assert.deepEqual(dryDiffs.map((d) => [d.person_id, d.field]), expectedDiffs(people));
    assert.ok(dryDiffs.every((d) => d.outcome === 'dry_run'));
    assert.equal(dry.people_checked, 6);
    assert.equal(dry.fixes_applied, 0);
    assert.deepEqual(await Promise.all(Object.values(people).map(async (p) => (await store.getProfile(p.person_id))!.version)), versionsBefore);
    assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM profile_snapshots'), [{ n: 0 }]);

    const run = await reconcile({ dryRun: false });
    const runDiffs = await diffsOf(run.run_id);
    assert.deepEqual(runDiffs.map((d) => [d.person_id, d.field, d.outcome]), expectedDiffs(people).map(([p, f]) => [p, f, 'fixed']));
    assert.equal(run.fixes_applied, 7);
    assert.deepEqual(run.diffs_by_field, { 'cart.items': 2, 'orders.count': 2, 'orders.last_order_at': 1, 'orders.revenue': 1, 'consent.email_marketing': 1 });

    const bob = (await store.getProfile(people.bob.person_id))!;
    assert.deepEqual([bob.orders.count, bob.orders.revenue, bob.orders.last_order_at, bob.cart?.items ?? []], [2, 42.75, at(5), []]);
    assert.deepEqual((await store.getProfile(people.carol.person_id))!.cart?.items ?? [], []);
    assert.equal((await store.getProfile(people.dave.person_id))!.orders.count, 1);
    assert.equal((await store.getProfile(people.fran.person_id))!.consent.email_marketing?.value, false);

    // One snapshot per profile for the day (Erin's absorbed device included), idempotent.
    const snapshots = await warehouse.query("SELECT person_id, orders_count FROM profile_snapshots WHERE snapshot_date = DATE '2026-03-02' ORDER BY person_id");
    assert.equal(snapshots.find((row) => row.person_id === people.bob.person_id)?.orders_count, 2);
    assert.equal(snapshots.length, (await store.listProfiles({ after: null, limit: 100 })).profiles.length);

    clock.set('2026-03-03T03:00:00.000Z');
    const next = await reconcile({ dryRun: false });
    assert.deepEqual(await diffsOf(next.run_id), []);
    assert.equal(next.people_checked, 6);
    assert.equal(next.people_with_diffs, 0);
  });

  test('profile_snapshots: one row per person per day, a second walk that day keeps the first', async () => {
    const { people } = await seedAndCorrupt();
    clock.set('2026-03-02T03:00:00.000Z');
    await reconcile({ dryRun: false });
    clock.set('2026-03-02T15:00:00.000Z');
    const second = await reconcile({ dryRun: false });
    const profiles = (await store.listProfiles({ after: null, limit: 100 })).profiles;
    assert.equal(second.snapshots_written, profiles.length);
    const rows = await warehouse.query("SELECT person_id, taken_at, merged_into, orders_count, is_email_marketing_consented FROM profile_snapshots WHERE snapshot_date = DATE '2026-03-02' ORDER BY person_id");
    assert.equal(rows.length, profiles.length);
    assert.ok(rows.every((row) => row.taken_at === '2026-03-02T03:00:00.000Z'));
    // Erin's absorbed device is listed, pointing at her.
    assert.ok(rows.some((row) => row.merged_into === people.erin.person_id));
    assert.deepEqual(rows.find((row) => row.person_id === people.fran.person_id)?.is_email_marketing_consented, false);
  });

  test('staged history is kept a week, then pruned by the next run', async () => {
    await seedAndCorrupt();
    clock.set('2026-03-02T03:00:00.000Z');
    const first = await reconcile({ dryRun: true });
    clock.set('2026-03-09T02:59:00.000Z');
    const second = await reconcile({ dryRun: true });
    clock.set('2026-03-09T03:01:00.000Z');
    const third = await reconcile({ dryRun: true });
    const staged = await warehouse.query('SELECT run_id, COUNT(*) AS people FROM reconciliation_history GROUP BY run_id ORDER BY run_id');
    assert.deepEqual(staged.map((row) => row.run_id), [second.run_id, third.run_id], `${first.run_id} pruned`);
    assert.deepEqual(staged.map((row) => row.people), [6, 6], 'each run stages every person with events (Erin once, her devices merged)');
  });

  test('a fixed profile takes later events like any other: a late order counts once, a redelivered lost one not again', async () => {
    const { people, events } = await seedAndCorrupt();
    clock.set('2026-03-02T03:00:00.000Z');
    await reconcile({ dryRun: false });
    const next = event('order_completed', 20, { user_id: 'u-dave' }, { order_id: 'o-d2', total: 1 });
    await fold([{ ...next, occurred_at: '2026-03-02T04:00:00.000Z', received_at: '2026-03-02T04:00:00.000Z' }]);
    // The lost order comes back after all (a dead letter replayed): the fix marked it applied.
    await fold([events.bob[2]!]);
    const dave = (await store.getProfile(people.dave.person_id))!;
    assert.deepEqual([dave.orders.count, dave.orders.revenue], [2, 100.99]);
    assert.equal((await store.getProfile(people.bob.person_id))!.orders.count, 2);
  });

  test('a profile written between the read and the fix is left alone and counted as skipped', async () => {
    const { people } = await seedAndCorrupt();
    clock.set('2026-03-02T03:00:00.000Z');
    // The shopper acts while the job is between its comparison and its fix of Dave.
    let raced = false;
    const racing: ProfileStore = {
      ...store,
      listProfiles: (page) => store.listProfiles(page),
      transact: async (work) => {
        if (!raced) {
          raced = true;
          await fold([event('product_viewed', 0, { user_id: 'u-dave' }, { product_id: 'sku-z' })]);
        }
        return store.transact(work);
      },
    };
    const onlyDave: ProfileStore = { ...racing, listProfiles: async (page) => {
      const listed = await store.listProfiles(page);
      return { ...listed, profiles: listed.profiles.filter((p) => p.person_id === people.dave.person_id) };
    } };
    const before = (await store.getProfile(people.dave.person_id))!;
    const run = await reconcile({ dryRun: false }, { store: onlyDave });
    assert.deepEqual((await diffsOf(run.run_id)).map((d) => [d.field, d.outcome]), [['orders.count', 'skipped']]);
    assert.equal(run.fixes_skipped, 1);
    assert.equal(run.fixes_applied, 0);
    const after = (await store.getProfile(people.dave.person_id))!;
    assert.equal(after.version, before.version + 1, 'only the shopper\'s write');
    assert.equal(after.orders.count, 0, 'the wrong counter waits for the next run');
    assert.equal(after.recent_views[0]?.product_id, 'sku-z');
  });

  test('a walk that runs out of its time budget stops cleanly, says where, and the next run that fixes resumes there', async () => {
    await seedAndCorrupt();
    const all = (await store.listProfiles({ after: null, limit: 100 })).profiles;
    const live = all.filter((profile) => profile.merged_into === null).length;
    clock.set('2026-03-02T03:00:00.000Z');
    // Each page of profiles takes a minute to read: the batch of pages 1–2 (4 profiles, history
    // batch 3) ends after 2 minutes, past the 90 s budget.
    const slow: ProfileStore = { ...store, listProfiles: async (page) => {
      clock.advance(60_000);
      return store.listProfiles(page);
    } };
    const first = await reconcile({ dryRun: false, timeBudgetMs: 90_000 }, { store: slow });
    assert.equal(first.is_completed, false);
    assert.notEqual(first.resume_after, null);
    assert.equal(first.snapshots_written, 4, 'the profiles walked, fixes included');

    clock.set('2026-03-02T12:00:00.000Z');
    const dry = await reconcile({ dryRun: true });
    assert.deepEqual([dry.people_checked, dry.is_completed, dry.resume_after], [live, true, null], 'a dry run walks from the start and moves no cursor');

    clock.set('2026-03-03T03:00:00.000Z');
    const second = await reconcile({ dryRun: false });
    assert.deepEqual([second.snapshots_written, second.is_completed, second.resume_after], [all.length - 4, true, null], 'the tail, from the cursor');
    assert.equal(first.people_checked + first.people_not_judged + second.people_checked + second.people_not_judged, live, 'every live profile judged once across the two');

    clock.set('2026-03-04T03:00:00.000Z');
    const third = await reconcile({ dryRun: false });
    assert.deepEqual([third.snapshots_written, third.is_completed], [all.length, true], 'then from the start again');
    const rows = await warehouse.query('SELECT run_id, is_completed, resume_after FROM reconciliation_runs WHERE NOT dry_run ORDER BY started_at');
    assert.deepEqual(rows.map((row) => row.is_completed), [false, true, true]);
    assert.equal(rows[0]!.resume_after, first.resume_after);
  });
});
