import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JourneyTimer } from '../../pipelines/journeys/journey-timer.ts';
import { identityKey, type IdentityKey } from '../../pipelines/profiles/identity-key.ts';
import type { Profile } from '../../pipelines/profiles/profile.ts';
import type { ProfileStore, ProfileTx } from '../../pipelines/profiles/profile-store.ts';

/**
 * What every ProfileStore adapter must do (pipelines/profiles/profile-store.ts). Each adapter's
 * test file runs this suite, so embedded and GCP behave the same, down to Firestore's rules.
 */

export type ProfileStoreNamespace = {
  /** A new, independent handle on this namespace's data, as a second process would hold. */
  open: () => Promise<ProfileStore>;
};

export type ProfileStoreHarness = {
  /** An empty namespace no other namespace sees (a new SQLite file, a new collection prefix). */
  createNamespace: () => Promise<ProfileStoreNamespace>;
  teardown?: () => Promise<void>;
};

/**
 * Adapters treat a profile as opaque JSON with these three fields; the tests do too, so they
 * keep passing whatever pipelines/profiles/profile.ts grows into.
 */
export type TestDoc = { person_id: string; version: number; merged_into: string | null; [field: string]: unknown };
export const asProfile = (doc: TestDoc): Profile => doc as unknown as Profile;
export const asDoc = (profile: Profile | null | undefined): TestDoc | null => (profile ?? null) as unknown as TestDoc | null;

const CONCURRENT_WRITERS = 10;
const AT = new Date('2026-03-01T12:00:00.000Z');

export function runProfileStoreContract(name: string, setup: () => Promise<ProfileStoreHarness>, options: { skip?: string } = {}): void {
  describe(`ProfileStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: ProfileStoreHarness | undefined;
    const opened: ProfileStore[] = [];
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      for (const store of opened) await store.close?.();
      await harness?.teardown?.();
    });
    const open = async (namespace: ProfileStoreNamespace) => {
      const store = await namespace.open();
      opened.push(store);
      return store;
    };
    const freshStore = async () => open(await harness!.createNamespace());

    test('listProfiles walks every profile once, a page at a time, merged ones included', async () => {
      const store = await freshStore();
      assert.deepStrictEqual(await store.listProfiles({ after: null, limit: 10 }), { profiles: [], next: null });
      // Ids that percent-encode on Firestore and sort differently encoded, to catch a cursor that mixes the two.
      const ids = ['p1', 'p/2', 'p 3', '.hidden', 'p\u00e9', 'a\u{1F600}', 'Z9'];
      await store.transact(async (tx) => {
        for (const id of ids) tx.putProfile(asProfile({ ...doc(id), merged_into: id === 'p1' ? 'Z9' : null }));
      });
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.listProfiles({ after, limit: 3 });
        assert.ok(page.profiles.length <= 3);
        seen.push(...page.profiles.map((profile) => profile.person_id));
        if (page.next === null) break;
        after = page.next;
      }
      assert.deepStrictEqual([...seen].sort(), [...ids].sort(), 'each profile exactly once');
      assert.deepStrictEqual(asDoc((await store.listProfiles({ after: null, limit: 10 })).profiles.find((p) => p.person_id === 'p1'))?.merged_into, 'Z9');
      await assert.rejects(() => store.listProfiles({ after: null, limit: 0 }), /limit/);
      await assert.rejects(() => store.listProfiles({ after: null, limit: 1001 }), /limit/);
    });

    test('putProfile then getProfile / getProfiles return a deep-equal copy', async () => {
      const store = await freshStore();
      const rich = richProfile('p-rich');
      await store.transact(async (tx) => tx.putProfile(asProfile(rich)));
      const got = asDoc(await store.getProfile('p-rich'));
      assert.deepStrictEqual(got, rich);
      assert.equal(typeof (got?.consent as { updated_at: unknown }).updated_at, 'string', 'ISO strings stay strings');
      const inTx = await store.transact((tx) => tx.getProfiles(['p-rich']));
      assert.deepStrictEqual(inTx.get('p-rich'), rich);

      const { cart: _dropped, ...withoutCart } = rich;
      await store.transact(async (tx) => tx.putProfile(asProfile({ ...withoutCart, version: 4 })));
      assert.deepStrictEqual(await store.getProfile('p-rich'), { ...withoutCart, version: 4 }, 'a put replaces the whole profile');
    });

    test('reads return only what exists, and empty inputs give empty results', async () => {
      const store = await freshStore();
      await store.transact(async (tx) => tx.putProfile(profileOf('p1')));
      await store.transact(async (tx) => {
        assert.deepStrictEqual([...(await tx.getProfiles(['p1', 'missing', 'p1'])).keys()], ['p1']);
        assert.equal((await tx.getProfiles([])).size, 0);
        assert.equal((await tx.resolveIdentities([])).size, 0);
        assert.equal((await tx.findAppliedEvents([])).size, 0);
      });
    });

    test('linkIdentities then resolveIdentities / findPersonId; relinking moves a key', async () => {
      const store = await freshStore();
      const keys: IdentityKey[] = [identityKey('email', ' Jane.Doe@Example.com '), 'anon:a/b/c', 'user:..', 'anon:__x__', 'user:50%+ü'];
      await store.transact(async (tx) => tx.linkIdentities(keys, 'p1'));
      const resolved = await store.transact((tx) => tx.resolveIdentities([...keys, 'anon:unknown']));
      assert.deepStrictEqual(resolved, new Map(keys.map((key) => [key, 'p1'])));
      assert.equal(await store.findPersonId('email:jane.doe@example.com'), 'p1');
      assert.equal(await store.findPersonId('anon:unknown'), null);

      await store.transact(async (tx) => tx.linkIdentities(['anon:a/b/c'], 'p2'));
      assert.equal(await store.findPersonId('anon:a/b/c'), 'p2');
      assert.equal(await store.findPersonId('user:..'), 'p1');
    });

    test('markApplied then findAppliedEvents returns the applied subset', async () => {
      const store = await freshStore();
      const ids = ['evt/1', '.', '..', '__evt__', 'ok-1'];
      await store.transact(async (tx) => tx.markApplied(ids, 'p1', AT));
      const found = await store.transact((tx) => tx.findAppliedEvents([...ids, 'never', 'evt']));
      assert.deepStrictEqual(found, new Set(ids));
    });

    test('a read after a write is rejected, and the transaction commits nothing even if work swallowed it', async () => {
      const store = await freshStore();
      const reads: Array<(tx: ProfileTx) => Promise<unknown>> = [
        (tx) => tx.getProfiles(['p1']),
        (tx) => tx.resolveIdentities(['anon:a']),
        (tx) => tx.findAppliedEvents(['e1']),
        (tx) => tx.getTimers(['t1']),
      ];
      for (const read of reads) {
        await assert.rejects(
          store.transact(async (tx) => {
            tx.putProfile(profileOf('p1'));
            await assert.rejects(read(tx), /reads must come before writes/);
            return 'swallowed';
          }),
          /reads must come before writes/,
        );
      }
      assert.equal(await store.getProfile('p1'), null);
    });

    test('putTimer and deleteTimer count as writes: a read after them is rejected', async () => {
      const store = await freshStore();
      const writes: Array<(tx: ProfileTx) => void> = [(tx) => tx.putTimer(timerOf('t1', 'p1', at(0))), (tx) => tx.deleteTimer('t1')];
      for (const write of writes) {
        await assert.rejects(
          store.transact(async (tx) => {
            write(tx);
            await assert.rejects(tx.getProfiles(['p1']), /reads must come before writes/);
          }),
          /reads must come before writes/,
        );
      }
      assert.deepStrictEqual(await store.listTimers('p1'), []);
    });

    test('a throwing work commits nothing and transact rejects with its error', async () => {
      const store = await freshStore();
      const boom = new Error('boom');
      await assert.rejects(
        store.transact(async (tx) => {
          tx.putProfile(profileOf('p1'));
          tx.linkIdentities(['anon:a'], 'p1');
          tx.markApplied(['e1'], 'p1', AT);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.equal(await store.getProfile('p1'), null);
      assert.equal(await store.findPersonId('anon:a'), null);
      assert.equal((await store.transact((tx) => tx.findAppliedEvents(['e1']))).size, 0);
    });

    test('transact resolves to what work returns; a finished ProfileTx cannot be reused', async () => {
      const store = await freshStore();
      let kept: ProfileTx | undefined;
      const result = await store.transact(async (tx) => {
        kept = tx;
        return { answer: 42 };
      });
      assert.deepStrictEqual(result, { answer: 42 });
      assert.throws(() => kept!.putProfile(profileOf('late')), /after its transaction finished/);
      assert.equal(await store.getProfile('late'), null);
    });

    test(`${CONCURRENT_WRITERS} concurrent increments of one profile lose no update`, async () => {
      const store = await freshStore();
      await Promise.all(range(CONCURRENT_WRITERS).map((i) => increment(store, 'p1', `e${i}`)));
      const profile = asDoc(await store.getProfile('p1'));
      assert.equal(profile?.counter, CONCURRENT_WRITERS);
      assert.equal(profile?.version, CONCURRENT_WRITERS);
      const applied = await store.transact((tx) => tx.findAppliedEvents(range(CONCURRENT_WRITERS).map((i) => `e${i}`)));
      assert.equal(applied.size, CONCURRENT_WRITERS);
    });

    // Each event reaches both handles, as a redelivery to a second instance would: a lost update
    // would leave fewer than EVENTS, a missed duplicate more. (One test: emulator contention is slow.)
    test('events delivered twice, concurrently through two handles, are each applied exactly once', async () => {
      const namespace = await harness!.createNamespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      const events = range(CONCURRENT_WRITERS / 2).map((i) => `e${i}`);
      // Opposite orders, so the handles mostly work on different events at the same moment.
      await Promise.all([...events.map((id) => increment(a, 'p1', id)), ...[...events].reverse().map((id) => increment(b, 'p1', id))]);
      assert.equal(asDoc(await a.getProfile('p1'))?.counter, events.length);
      assert.equal(asDoc(await b.getProfile('p1'))?.counter, events.length);
      assert.equal((await b.transact((tx) => tx.findAppliedEvents(events))).size, events.length);
    });

    test('getProfile and findPersonId read committed state outside a transaction', async () => {
      const store = await freshStore();
      assert.equal(await store.getProfile('p1'), null);
      assert.equal(await store.findPersonId('user:u1'), null);
      await store.transact(async (tx) => {
        tx.putProfile(profileOf('p1'));
        tx.linkIdentities(['user:u1'], 'p1');
      });
      assert.deepStrictEqual(await store.getProfile('p1'), profileOf('p1'));
      assert.equal(await store.findPersonId('user:u1'), 'p1');
    });

    test('stores in different namespaces do not see each other', async () => {
      const [a, b] = [await freshStore(), await freshStore()];
      await a.transact(async (tx) => {
        tx.putProfile(profileOf('p1'));
        tx.linkIdentities(['user:u1'], 'p1');
        tx.markApplied(['e1'], 'p1', AT);
        tx.putTimer(timerOf('t1', 'p1', at(0)));
      });
      assert.equal(await b.getProfile('p1'), null);
      assert.deepStrictEqual(await b.listTimers('p1'), []);
      assert.deepStrictEqual(await b.findDueTimers(AT, 10), []);
      assert.equal(await b.findPersonId('user:u1'), null);
      assert.equal((await b.transact((tx) => tx.findAppliedEvents(['e1']))).size, 0);
      assert.notEqual(await a.getProfile('p1'), null);
    });

    test('a transaction may write 500 documents but not 501', async () => {
      const store = await freshStore();
      await assert.rejects(
        store.transact(async (tx) => {
          tx.putProfile(profileOf('too-many'));
          tx.markApplied(range(500).map((i) => `x${i}`), 'too-many', AT);
        }),
        /at most 500/,
      );
      assert.equal(await store.getProfile('too-many'), null);

      await store.transact(async (tx) => {
        tx.putProfile(profileOf('p1'));
        tx.markApplied(range(499).map((i) => `x${i}`), 'p1', AT);
      });
      assert.notEqual(await store.getProfile('p1'), null);
      assert.equal((await store.transact((tx) => tx.findAppliedEvents(range(499).map((i) => `x${i}`)))).size, 499);
    });

    test('timer writes count towards the 500', async () => {
      const store = await freshStore();
      await assert.rejects(
        store.transact(async (tx) => {
          tx.putProfile(profileOf('p1'));
          tx.markApplied(range(497).map((i) => `x${i}`), 'p1', AT);
          tx.putTimer(timerOf('t1', 'p1', at(0)));
          tx.deleteTimer('t2');
          tx.deleteTimer('t3');
        }),
        /wrote 501 documents/,
      );
      assert.equal(await store.getProfile('p1'), null);
      assert.deepStrictEqual(await store.listTimers('p1'), []);
    });

    test('putProfile rejects what Firestore cannot store, at the call', async () => {
      const store = await freshStore();
      await store.transact(async (tx) => {
        assert.throws(() => tx.putProfile(asProfile({ ...doc('p1'), grid: [[1, 2]] })), /array directly inside an array/);
        assert.throws(() => tx.putProfile(asProfile({ ...doc('p1'), map: { __name__: 1 } })), /reserves/);
        assert.throws(() => tx.putProfile(asProfile({ ...doc('p1'), map: { '': 1 } })), /reserves/);
        assert.throws(() => tx.putProfile(profileOf('')), /person_id/);
      });
      assert.equal(await store.getProfile('p1'), null);
    });

    test('putProfile snapshots the profile: later mutation changes nothing', async () => {
      const store = await freshStore();
      const profile = { ...doc('p1'), tags: ['a'] };
      await store.transact(async (tx) => {
        tx.putProfile(asProfile(profile));
        profile.tags.push('b');
        profile.version = 99;
      });
      assert.deepStrictEqual(await store.getProfile('p1'), { ...doc('p1'), tags: ['a'] });
    });

    runTimerTests(freshStore, async () => {
      const namespace = await harness!.createNamespace();
      return [await open(namespace), await open(namespace)];
    });
  });
}

/** Journey timers (pipelines/journeys/journey-timer.ts) through ProfileTx and the store's sweeps. */
function runTimerTests(freshStore: () => Promise<ProfileStore>, twoHandles: () => Promise<[ProfileStore, ProfileStore]>): void {
  test('putTimer then getTimers / listTimers return the timer; unknown ids are left out', async () => {
    const store = await freshStore();
    const timer = timerOf('cart:p/1:c-9', 'p/1', at(30), { step: 1, armed_by_event_id: null });
    await store.transact(async (tx) => tx.putTimer(timer));
    const got = await store.transact((tx) => tx.getTimers([timer.timer_id, 'missing', timer.timer_id]));
    assert.deepStrictEqual(got, new Map([[timer.timer_id, timer]]));
    assert.deepStrictEqual(await store.transact((tx) => tx.getTimers([])), new Map());
    assert.deepStrictEqual(await store.listTimers('p/1'), [timer]);
    assert.deepStrictEqual(await store.listTimers('someone-else'), []);
  });

  test('ids of any length a shopper\'s ids can make (a long non-ASCII cart id) are stored and read back', async () => {
    const store = await freshStore();
    const long = `cart-${'ü€'.repeat(400)}`;
    const timer = timerOf(`cart-abandonment:p1:${JSON.stringify([long, null])}`, 'p1', at(30));
    const other = timerOf(`cart-abandonment:p1:${JSON.stringify([`${long}x`, null])}`, 'p1', at(40));
    await store.transact(async (tx) => {
      tx.putTimer(timer);
      tx.putTimer(other);
      tx.linkIdentities([identityKey('user', long)], 'p1');
    });
    assert.deepStrictEqual(await store.transact((tx) => tx.getTimers([timer.timer_id, other.timer_id])), new Map([[timer.timer_id, timer], [other.timer_id, other]]));
    assert.equal(await store.findPersonId(identityKey('user', long)), 'p1');
    await store.transact(async (tx) => tx.deleteTimer(timer.timer_id));
    assert.deepStrictEqual(await store.listTimers('p1'), [other]);
  });

  test('putTimer with the same timer_id overwrites; deleteTimer removes, and a missing one is fine', async () => {
    const store = await freshStore();
    await store.transact(async (tx) => {
      tx.putTimer(timerOf('t1', 'p1', at(10)));
      tx.putTimer(timerOf('t2', 'p1', at(20)));
    });
    const rearmed = timerOf('t1', 'p1', at(50), { step: 1, armed_by_event_id: 'e-2' });
    await store.transact(async (tx) => tx.putTimer(rearmed));
    assert.deepStrictEqual(await store.listTimers('p1'), [timerOf('t2', 'p1', at(20)), rearmed]);
    assert.deepStrictEqual(await store.findDueTimers(new Date(at(30)), 10), [timerOf('t2', 'p1', at(20))], 'the old due time is gone with the overwrite');

    await store.transact(async (tx) => {
      tx.deleteTimer('t2');
      tx.deleteTimer('never-armed');
    });
    assert.deepStrictEqual(await store.listTimers('p1'), [rearmed]);
    assert.deepStrictEqual(await store.transact((tx) => tx.getTimers(['t2', 'never-armed'])), new Map());
  });

  test('findDueTimers returns only due timers, by due_at then timer_id, at most limit', async () => {
    const store = await freshStore();
    const timers = [
      timerOf('b', 'p1', at(10)),
      timerOf('a', 'p2', at(10)),
      timerOf('late', 'p1', at(61)),
      timerOf('first/ü', 'p3', at(5)),
      timerOf('edge', 'p2', at(60)),
      timerOf('a\u{1F600}', 'p2', at(10)),
      timerOf('a\uFF5E', 'p2', at(10)),
      // Due exactly at `now` but written without milliseconds: as a string it would sort after
      // now's ISO form ('Z' > '.'), so this is only due if the store compares instants.
      timerOf('no-ms', 'p1', at(60).replace('.000Z', 'Z')),
    ];
    await store.transact(async (tx) => timers.forEach((timer) => tx.putTimer(timer)));
    const now = new Date(at(60));
    const ids = async (limit: number) => (await store.findDueTimers(now, limit)).map((timer) => timer.timer_id);
    // Code point order: U+FF5E sorts before U+1F600 (UTF-16 order would say the opposite).
    assert.deepStrictEqual(await ids(100), ['first/ü', 'a', 'a\uFF5E', 'a\u{1F600}', 'b', 'edge', 'no-ms']);
    assert.deepStrictEqual(await ids(3), ['first/ü', 'a', 'a\uFF5E']);
    assert.deepStrictEqual(await store.findDueTimers(new Date(at(4)), 10), []);
    assert.deepStrictEqual((await store.findDueTimers(now, 1))[0], timers[3], 'the whole timer comes back');
    await assert.rejects(store.findDueTimers(now, 0), /positive integer/);
    await assert.rejects(store.findDueTimers(now, 1.5), /positive integer/);
    assert.deepStrictEqual((await store.listTimers('p2')).map((timer) => timer.timer_id), ['a', 'a\uFF5E', 'a\u{1F600}', 'edge']);
  });

  test('a timer and a profile written in one transaction commit together or not at all', async () => {
    const store = await freshStore();
    const boom = new Error('boom');
    await assert.rejects(
      store.transact(async (tx) => {
        tx.putProfile(profileOf('p1'));
        tx.putTimer(timerOf('t1', 'p1', at(10)));
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal(await store.getProfile('p1'), null);
    assert.deepStrictEqual(await store.listTimers('p1'), []);

    await store.transact(async (tx) => {
      tx.putProfile(profileOf('p1'));
      tx.putTimer(timerOf('t1', 'p1', at(10)));
    });
    // Cancelling in the fold's transaction: a failing fold must leave the timer armed.
    await assert.rejects(
      store.transact(async (tx) => {
        tx.putProfile({ ...profileOf('p1'), version: 2 });
        tx.deleteTimer('t1');
        throw boom;
      }),
      (error) => error === boom,
    );
    assert.equal((await store.getProfile('p1'))?.version, 1);
    assert.deepStrictEqual(await store.listTimers('p1'), [timerOf('t1', 'p1', at(10))]);
    await store.transact(async (tx) => {
      tx.putProfile({ ...profileOf('p1'), version: 2 });
      tx.deleteTimer('t1');
    });
    assert.equal((await store.getProfile('p1'))?.version, 2);
    assert.deepStrictEqual(await store.listTimers('p1'), []);
  });

  test('putTimer validates at the call and snapshots the timer', async () => {
    const store = await freshStore();
    await store.transact(async (tx) => {
      assert.throws(() => tx.putTimer({ ...timerOf('t1', 'p1', at(10)), due_at: 'tomorrow' }), /invalid timer[\s\S]*due_at/);
      assert.throws(() => tx.putTimer({ ...timerOf('t1', 'p1', at(10)), step: -1 }), /invalid timer[\s\S]*step/);
      assert.throws(() => tx.putTimer(timerOf('', 'p1', at(10))), /timer_id/);
      assert.throws(() => tx.deleteTimer(''), /timerId/);
    });
    const timer = timerOf('t1', 'p1', at(10));
    await store.transact(async (tx) => {
      tx.putTimer(timer);
      timer.due_at = at(99);
    });
    assert.deepStrictEqual(await store.listTimers('p1'), [timerOf('t1', 'p1', at(10))]);
  });

  // The sweep's race: two sweeps (or a sweep and a fold) see the same due timer. A store that did
  // not re-check timer reads at commit would let both take it, and the email would go out twice.
  for (const how of ['delete', 'lease'] as const) {
    test(`of ${TAKERS} concurrent transactions through two handles that ${how} one due timer, exactly one takes it`, async () => {
      const [a, b] = await twoHandles();
      await a.transact(async (tx) => tx.putTimer(timerOf('t1', 'p1', at(10))));
      const now = new Date(at(30));
      const take = (store: ProfileStore) =>
        store.transact(async (tx) => {
          const timer = (await tx.getTimers(['t1'])).get('t1');
          if (!timer || Date.parse(timer.due_at) > now.getTime()) return false;
          if (how === 'delete') tx.deleteTimer('t1');
          else tx.putTimer({ ...timer, due_at: at(90) });
          return true;
        });
      const taken = await Promise.all(range(TAKERS).map((i) => take(i % 2 === 0 ? a : b)));
      assert.equal(taken.filter(Boolean).length, 1, `taken: ${taken.join(', ')}`);
      assert.deepStrictEqual(await b.listTimers('p1'), how === 'delete' ? [] : [timerOf('t1', 'p1', at(90))]);
    });
  }
}

const TAKERS = 4;

/** `AT` plus some seconds, as the ISO string a timer holds. */
function at(seconds: number): string {
  return new Date(AT.getTime() + seconds * 1000).toISOString();
}

function timerOf(timerId: string, personId: string, dueAt: string, extra: Partial<JourneyTimer> = {}): JourneyTimer {
  return {
    timer_id: timerId,
    campaign_id: 'cart-abandonment',
    person_id: personId,
    trigger_key: 'c-9',
    step: 0,
    due_at: dueAt,
    armed_at: AT.toISOString(),
    armed_by_event_id: 'e-1',
    ...extra,
  };
}

function doc(personId: string): TestDoc {
  return { person_id: personId, version: 1, merged_into: null };
}

function profileOf(personId: string): Profile {
  return asProfile(doc(personId));
}

/** Exercises what Firestore tends to change on the way through: nesting, number kinds, odd keys. */
function richProfile(personId: string): TestDoc {
  return {
    person_id: personId,
    version: 3,
    merged_into: null,
    traits: { first_name: 'Zoë', 'key.with.dots': 'x', 'slash/key': 'y', nested: { deeper: { deepest: [1, 2.5, -3, 0] } } },
    cart: {
      items: [
        { sku: 'A/1', price: 19.99, qty: 2 },
        { sku: 'B', price: 0, qty: 1, image: null },
      ],
      value: 39.98,
      status: 'open',
    },
    consent: { email: true, updated_at: '2026-01-02T03:04:05.678Z' },
    counts: { big: 12345678901234, huge: 1e21, tiny: 1e-7, negative: -42 },
    empty_list: [],
    empty_map: {},
    flag: false,
    note: '',
  };
}

/** The shape of a real profile update: skip if applied, else read-modify-write and mark. */
async function increment(store: ProfileStore, personId: string, eventId: string): Promise<void> {
  await store.transact(async (tx) => {
    const applied = await tx.findAppliedEvents([eventId]);
    const current = asDoc((await tx.getProfiles([personId])).get(personId));
    if (applied.has(eventId)) return;
    const counter = typeof current?.counter === 'number' ? current.counter : 0;
    tx.putProfile(asProfile({ person_id: personId, version: (current?.version ?? 0) + 1, merged_into: null, counter: counter + 1 }));
    tx.markApplied([eventId], personId, AT);
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
