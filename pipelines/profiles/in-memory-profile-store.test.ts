import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createInMemoryProfileStore } from './in-memory-profile-store.ts';
import { identityKey } from './identity-key.ts';
import { emptyProfile } from './profile.ts';

const AT = new Date('2026-03-01T00:00:00.000Z');
const profile = (id: string) => emptyProfile(id, AT.toISOString());

describe('createInMemoryProfileStore', () => {
  test('commits writes together when work resolves; reads see committed state', async () => {
    const store = createInMemoryProfileStore();
    const key = identityKey('anon', 'a');
    await store.transact(async (tx) => {
      assert.deepStrictEqual(await tx.resolveIdentities([key]), new Map());
      tx.putProfile(profile('p1'));
      tx.linkIdentities([key], 'p1');
      tx.markApplied(['e1'], 'p1', AT);
      assert.equal(await store.getProfile('p1'), null, 'nothing visible before commit');
    });
    assert.deepStrictEqual(await store.getProfile('p1'), profile('p1'));
    assert.equal(await store.findPersonId(key), 'p1');
    await store.transact(async (tx) => {
      assert.deepStrictEqual(await tx.findAppliedEvents(['e1', 'e2']), new Set(['e1']));
      assert.deepStrictEqual([...(await tx.getProfiles(['p1', 'p2'])).keys()], ['p1']);
    });
  });

  test('a read after a write throws, and the transaction fails even if the error was swallowed', async () => {
    const store = createInMemoryProfileStore();
    await assert.rejects(
      store.transact(async (tx) => {
        tx.putProfile(profile('p1'));
        await tx.getProfiles(['p1']).catch(() => undefined);
      }),
      /reads must come before writes/,
    );
    assert.equal(await store.getProfile('p1'), null);
  });

  test('nothing is written when work rejects; the tx cannot be used afterwards', async () => {
    const store = createInMemoryProfileStore();
    let kept: Parameters<Parameters<typeof store.transact>[0]>[0] | undefined;
    await assert.rejects(
      store.transact(async (tx) => {
        kept = tx;
        tx.putProfile(profile('p1'));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await store.getProfile('p1'), null);
    assert.throws(() => kept!.putProfile(profile('late')), /after its transaction finished/);
  });

  test('values are copied in and out', async () => {
    const store = createInMemoryProfileStore();
    const original = profile('p1');
    await store.transact(async (tx) => {
      tx.putProfile(original);
      original.version = 99;
    });
    const read = (await store.getProfile('p1'))!;
    assert.equal(read.version, 0);
    read.version = 5;
    assert.equal((await store.getProfile('p1'))!.version, 0);
  });

  test('simulated contention runs work again and commits only the last attempt', async () => {
    const store = createInMemoryProfileStore({ conflictsPerTransaction: 1 });
    let runs = 0;
    await store.transact(async (tx) => {
      runs++;
      tx.putProfile({ ...profile('p1'), version: runs });
    });
    assert.equal(runs, 2);
    assert.equal((await store.getProfile('p1'))!.version, 2);
  });
});
