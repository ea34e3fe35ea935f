import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { holdoutBucket, isInHoldout } from './holdout.ts';

const ids = Array.from({ length: 10_000 }, (_, i) => `person-${i}`);

describe('holdout', () => {
  test('the bucket is a fixed function of (salt, person): same input, same bucket, every time', () => {
    for (const id of ids.slice(0, 100)) assert.equal(holdoutBucket('s', id), holdoutBucket('s', id));
    // Pinned: a change of hash or encoding would silently reshuffle a running control group.
    const digest = createHash('sha256').update('nudge-holdout-v1\u0000person-1').digest();
    assert.equal(holdoutBucket('nudge-holdout-v1', 'person-1'), (digest.readUIntBE(0, 6) / 2 ** 48) * 100);
  });

  test('buckets lie in [0, 100)', () => {
    for (const id of ids) {
      const bucket = holdoutBucket('salt', id);
      assert.ok(bucket >= 0 && bucket < 100, `${id}: ${bucket}`);
    }
  });

  test('10% holds out about a tenth of 10k people (8–12%: ±6.7σ, and the ids are fixed, so it cannot flake)', () => {
    const held = ids.filter((id) => isInHoldout('nudge-holdout-v1', id, 10)).length;
    assert.ok(held >= 800 && held <= 1200, `held out ${held} of 10000`);
  });

  test('0% holds out nobody, 100% everybody', () => {
    assert.equal(ids.filter((id) => isInHoldout('s', id, 0)).length, 0);
    assert.equal(ids.filter((id) => isInHoldout('s', id, 100)).length, ids.length);
  });

  test('a larger share keeps everyone the smaller share held out (groups nest)', () => {
    for (const id of ids.slice(0, 2000)) if (isInHoldout('s', id, 5)) assert.ok(isInHoldout('s', id, 10), id);
  });

  test('another salt draws a different group; the separator keeps ("a","bc") apart from ("ab","c")', () => {
    const groupA = new Set(ids.filter((id) => isInHoldout('campaign-a', id, 10)));
    const groupB = ids.filter((id) => isInHoldout('campaign-b', id, 10));
    const overlap = groupB.filter((id) => groupA.has(id)).length;
    // Independent 10% groups overlap in ~1% of people; identical groups would overlap fully.
    assert.ok(overlap < groupB.length / 2, `overlap ${overlap} of ${groupB.length}`);
    assert.notEqual(holdoutBucket('a', 'bc'), holdoutBucket('ab', 'c'));
  });
});
