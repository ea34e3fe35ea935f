import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { JourneyTimer } from '../../pipelines/journeys/journey-timer.ts';
import { createSqliteProfileStore, pruneAppliedEvents } from '../../functions/embedded/sqlite-profile-store.ts';
import { asDoc, asProfile, runProfileStoreContract } from './profile-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-profile-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `profiles-${++files}.db`);

runProfileStoreContract('sqlite', async () => ({
  createNamespace: async () => {
    const file = newFile();
    return { open: async () => createSqliteProfileStore({ database: file }) };
  },
}));

const timer = (timerId: string, dueAt: string): JourneyTimer => ({
  timer_id: timerId,
  campaign_id: 'cart-abandonment',
  person_id: 'p1',
  trigger_key: 'c1',
  step: 0,
  due_at: dueAt,
  armed_at: '2026-03-01T11:00:00.000Z',
  armed_by_event_id: null,
});
const profile = (personId: string, counter: number) => asProfile({ person_id: personId, version: counter, merged_into: null, counter });

describe('sqlite profile store specifics', () => {
  test('opens a path in WAL mode and keeps data across close and reopen', async () => {
    const file = newFile();
    const first = createSqliteProfileStore({ database: file });
    await first.transact(async (tx) => tx.putProfile(profile('p1', 1)));
    await first.close();

    const probe = new Database(file);
    assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
    probe.close();
    const second = createSqliteProfileStore({ database: file });
    assert.deepStrictEqual(await second.getProfile('p1'), profile('p1', 1));
    await second.close();
  });

  test('leaves a handle it was given open on close', async () => {
    const db = new Database(':memory:');
    const store = createSqliteProfileStore({ database: db });
    await store.transact(async (tx) => tx.linkIdentities(['user:u1'], 'p1'));
    await store.close();
    assert.equal(db.open, true);
    assert.deepStrictEqual(db.prepare('SELECT key, person_id FROM identities').all(), [{ key: 'user:u1', person_id: 'p1' }]);
    db.close();
  });

  test('a write committed by another handle between read and commit makes work run again', async () => {
    const file = newFile();
    const a = createSqliteProfileStore({ database: file });
    const b = createSqliteProfileStore({ database: file });
    await a.transact(async (tx) => tx.putProfile(profile('p1', 0)));
    let runs = 0;
    await a.transact(async (tx) => {
      runs++;
      const seen = asDoc((await tx.getProfiles(['p1'])).get('p1'))!;
      // Only the first run is interfered with; b's commit lands while a still holds stale data.
      if (runs === 1) await b.transact(async (btx) => btx.putProfile(profile('p1', 1)));
      tx.putProfile(profile('p1', (seen.counter as number) + 1));
    });
    assert.equal(runs, 2);
    assert.equal(asDoc(await b.getProfile('p1'))?.counter, 2);
    await Promise.all([a.close(), b.close()]);
  });

  test('identity and applied-event reads are re-checked at commit too', async () => {
    const file = newFile();
    const a = createSqliteProfileStore({ database: file });
    const b = createSqliteProfileStore({ database: file });
    let runs = 0;
    const winner = await a.transact(async (tx) => {
      runs++;
      const owner = (await tx.resolveIdentities(['user:u1'])).get('user:u1');
      const applied = await tx.findAppliedEvents(['e1']);
      if (runs === 1) await b.transact(async (btx) => btx.linkIdentities(['user:u1'], 'from-b'));
      if (runs === 2) await b.transact(async (btx) => btx.markApplied(['e1'], 'from-b', new Date()));
      if (owner === undefined) tx.linkIdentities(['user:u1'], 'from-a');
      if (!applied.has('e1')) tx.markApplied(['e1'], 'from-a', new Date());
      return owner;
    });
    assert.equal(runs, 3);
    assert.equal(winner, 'from-b');
    assert.equal(await a.findPersonId('user:u1'), 'from-b');
    const probe = new Database(file, { readonly: true });
    assert.deepStrictEqual(probe.prepare('SELECT person_id FROM applied_events').all(), [{ person_id: 'from-b' }]);
    probe.close();
    await Promise.all([a.close(), b.close()]);
  });

  test('a timer read is re-checked at commit: the sweep that lost the race runs again and sees it gone', async () => {
    const file = newFile();
    const a = createSqliteProfileStore({ database: file });
    const b = createSqliteProfileStore({ database: file });
    await a.transact(async (tx) => tx.putTimer(timer('t1', '2026-03-01T12:00:00.000Z')));
    let runs = 0;
    const taken = await a.transact(async (tx) => {
      runs++;
      const seen = (await tx.getTimers(['t1'])).get('t1');
      // b takes the timer after a read it and before a commits.
      if (runs === 1) await b.transact(async (btx) => btx.deleteTimer('t1'));
      if (!seen) return false;
      tx.deleteTimer('t1');
      return true;
    });
    assert.equal(runs, 2);
    assert.equal(taken, false);

    // A timer that did not exist when read, but was armed before commit, conflicts too.
    runs = 0;
    await a.transact(async (tx) => {
      runs++;
      const seen = (await tx.getTimers(['t2'])).get('t2');
      if (runs === 1) await b.transact(async (btx) => btx.putTimer(timer('t2', '2026-03-01T12:05:00.000Z')));
      if (!seen) tx.putTimer(timer('t2', '2026-03-01T13:00:00.000Z'));
    });
    assert.equal(runs, 2);
    assert.equal((await a.listTimers('p1'))[0]?.due_at, '2026-03-01T12:05:00.000Z');
    await Promise.all([a.close(), b.close()]);
  });

  test('journey_timers keeps due_at as epoch ms beside the timer document', async () => {
    const db = new Database(':memory:');
    const store = createSqliteProfileStore({ database: db });
    await store.transact(async (tx) => tx.putTimer(timer('t1', '2026-03-01T12:00:00Z')));
    assert.deepStrictEqual(db.prepare('SELECT timer_id, person_id, due_at FROM journey_timers').all(), [
      { timer_id: 't1', person_id: 'p1', due_at: Date.parse('2026-03-01T12:00:00Z') },
    ]);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT doc FROM journey_timers WHERE due_at <= 0 ORDER BY due_at, timer_id LIMIT 5").all() as Array<{ detail: string }>;
    assert.match(plan.map((row) => row.detail).join('\n'), /journey_timers_by_due/, 'the sweep query uses the due_at index');
    await store.close();
    db.close();
  });

  test('gives up after maxAttempts when the data keeps changing underneath', async () => {
    const file = newFile();
    const a = createSqliteProfileStore({ database: file, maxAttempts: 2 });
    const b = createSqliteProfileStore({ database: file });
    let runs = 0;
    await assert.rejects(
      a.transact(async (tx) => {
        runs++;
        await tx.getProfiles(['p1']);
        await b.transact(async (btx) => btx.putProfile(profile('p1', runs)));
        tx.putProfile(profile('p1', 100));
      }),
      /gave up after 2 attempts/,
    );
    assert.equal(runs, 2);
    assert.equal(asDoc(await b.getProfile('p1'))?.counter, 2);
    await Promise.all([a.close(), b.close()]);
  });

  test('transact inside transact on the same store is refused instead of deadlocking', async () => {
    const store = createSqliteProfileStore({ database: ':memory:' });
    await assert.rejects(
      store.transact(async () => store.transact(async () => 'inner')),
      /inside another transact/,
    );
    assert.equal(await store.transact(async () => 'still usable'), 'still usable');
    await store.close();
  });

  test('pruneAppliedEvents deletes markers older than the retention window only', async () => {
    const db = new Database(':memory:');
    const store = createSqliteProfileStore({ database: db });
    const now = new Date('2026-06-01T00:00:00.000Z');
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    await store.transact(async (tx) => {
      tx.markApplied(['old'], 'p1', daysAgo(31));
      tx.markApplied(['edge'], 'p1', daysAgo(30));
      tx.markApplied(['recent'], 'p1', daysAgo(1));
    });
    assert.equal(pruneAppliedEvents(db, { now }), 1);
    assert.deepStrictEqual(await store.transact((tx) => tx.findAppliedEvents(['old', 'edge', 'recent'])), new Set(['edge', 'recent']));
    assert.equal(store.pruneAppliedEvents(now, 7), 1);
    assert.deepStrictEqual(await store.transact((tx) => tx.findAppliedEvents(['edge', 'recent'])), new Set(['recent']));
    await store.close();
    db.close();
  });
});
