import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildClickUrl, buildOpenPixelUrl, buildUnsubscribeUrl, listUnsubscribeHeaders, signToken, verifyToken, type LinkTokenPayload } from './signed-links.ts';

const key = 'k'.repeat(32);
const otherKey = 'o'.repeat(32);
const now = new Date('2026-03-01T10:00:00.000Z');
const payload: LinkTokenPayload = { kind: 'unsubscribe', send_id: 'abc123', person_id: 'person-1', exp: now.getTime() / 1000 + 3600 };

describe('signed link tokens', () => {
  test('a token verifies with its key and gives back the payload', () => {
    const token = signToken(payload, key);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'URL-safe without escaping');
    assert.deepStrictEqual(verifyToken(token, key, now), payload);
    const click = { kind: 'click', send_id: 's', person_id: 'p', url: 'https://shop.example/cart?x=1' } as const;
    assert.deepStrictEqual(verifyToken(signToken(click, key), key, now), click, 'no exp: does not expire');
  });

  test('one spelling per token: the unused low bits of the MAC\'s last character are not free to change', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const send_id of ['a', 'b', 'c', 'd']) {
      const token = signToken({ ...payload, send_id }, key);
      const last = token.at(-1)!;
      // 32 MAC bytes = 43 characters: the last carries 4 bits of MAC and 2 unused ones.
      const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
      assert.equal(Buffer.from(token.split('.')[1]!.slice(0, -1) + sibling, 'base64url').equals(Buffer.from(token.split('.')[1]!, 'base64url')), true, 'the same bytes…');
      assert.equal(verifyToken(token.slice(0, -1) + sibling, key, now), null, '…but not the same token');
    }
  });

  test('signing is deterministic (the same link for the same payload)', () => {
    assert.equal(signToken(payload, key), signToken({ ...payload }, key));
  });

  test('any tampering with payload or signature is rejected', () => {
    const token = signToken(payload, key);
    const [body, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...payload, person_id: 'person-2' })).toString('base64url');
    assert.equal(verifyToken(`${forged}.${signature}`, key, now), null, 'payload swapped');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (let i = 0; i < body.length; i += 7) assert.equal(verifyToken(`${flip(body, i)}.${signature}`, key, now), null, `body char ${i}`);
    for (let i = 0; i < signature.length; i++) assert.equal(verifyToken(`${body}.${flip(signature, i)}`, key, now), null, `signature char ${i}`);
    assert.equal(verifyToken(`${body}.${signature.slice(0, -2)}`, key, now), null, 'truncated signature');
    for (const junk of ['', '.', body, `${body}.`, `.${signature}`, `${token}.x`, `${body}.${signature}=`, 'a.b']) {
      assert.equal(verifyToken(junk, key, now), null, JSON.stringify(junk));
    }
  });

  test('a validly signed token whose payload is not a link payload is rejected', () => {
    const token = signToken(payload, key);
    const signature = token.split('.')[1]!;
    // Signature of another body does not fit; and the schema check holds even for signed junk.
    assert.equal(verifyToken(`${Buffer.from('{}').toString('base64url')}.${signature}`, key, now), null);
    assert.throws(() => signToken({ ...payload, kind: 'delete-account' } as unknown as LinkTokenPayload, key));
  });

  test('a token signed with another key is rejected; key rotation accepts old and new', () => {
    const token = signToken(payload, otherKey);
    assert.equal(verifyToken(token, key, now), null);
    assert.deepStrictEqual(verifyToken(token, [key, otherKey], now), payload);
    assert.throws(() => signToken(payload, 'short'), /at least 32 bytes/);
  });

  test('expiry: valid until exp, rejected from exp on', () => {
    const token = signToken(payload, key);
    const exp = payload.exp! * 1000;
    assert.notEqual(verifyToken(token, key, new Date(exp - 1)), null);
    assert.equal(verifyToken(token, key, new Date(exp)), null);
    assert.equal(verifyToken(token, key, new Date(exp + 86_400_000)), null);
  });
});

describe('unsubscribe links and headers', () => {
  test('buildUnsubscribeUrl appends /unsubscribe?token= to a base with or without a path', () => {
    const token = signToken(payload, key);
    assert.equal(buildUnsubscribeUrl('https://mail.shop.example', token), `https://mail.shop.example/unsubscribe?token=${token}`);
    assert.equal(buildUnsubscribeUrl('https://shop.example/nudge/', token), `https://shop.example/nudge/unsubscribe?token=${token}`);
    assert.equal(buildUnsubscribeUrl('https://shop.example/nudge?x=1#y', token), `https://shop.example/nudge/unsubscribe?token=${token}`);
    const url = new URL(buildUnsubscribeUrl('https://shop.example/nudge', token));
    assert.deepStrictEqual(verifyToken(url.searchParams.get('token')!, key, now), payload, 'round-trips through URL parsing');
  });

  test('listUnsubscribeHeaders gives the RFC 8058 pair and insists on https off loopback', () => {
    assert.deepStrictEqual(listUnsubscribeHeaders('https://mail.shop.example/unsubscribe?token=abc'), {
      'List-Unsubscribe': '<https://mail.shop.example/unsubscribe?token=abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    assert.equal(listUnsubscribeHeaders('http://127.0.0.1:8787/unsubscribe?token=abc')['List-Unsubscribe'], '<http://127.0.0.1:8787/unsubscribe?token=abc>');
    assert.throws(() => listUnsubscribeHeaders('http://mail.shop.example/unsubscribe?token=abc'), /https/);
    assert.throws(() => listUnsubscribeHeaders('mailto:unsubscribe@shop.example'), /https/);
  });
});

describe('tracking tokens and URLs', () => {
  test('campaign, link position and issue time travel signed; tokens without them still verify', () => {
    const click: LinkTokenPayload = { kind: 'click', send_id: 's', person_id: 'p', campaign_id: 'cart-abandonment', link_index: 3, iat: 1_770_000_000, exp: now.getTime() / 1000 + 60, url: 'https://shop.example/p?utm_source=nudge' };
    assert.deepStrictEqual(verifyToken(signToken(click, key), key, now), click);
    // A token minted before these fields existed (same format, fewer keys).
    const old = signToken({ kind: 'unsubscribe', send_id: 's', person_id: 'p' }, key);
    assert.deepStrictEqual(verifyToken(old, key, now), { kind: 'unsubscribe', send_id: 's', person_id: 'p' });
    assert.throws(() => signToken({ ...click, link_index: -1 }, key));
    assert.throws(() => signToken({ ...click, extra: 1 } as unknown as LinkTokenPayload, key), 'still strict');
  });

  test('click and pixel URLs put the token in the path under the base (with or without a path)', () => {
    assert.equal(buildClickUrl('https://nudge.example', 'a.b'), 'https://nudge.example/c/a.b');
    assert.equal(buildClickUrl('https://mail.shop.example/nudge/', 'a.b'), 'https://mail.shop.example/nudge/c/a.b');
    assert.equal(buildOpenPixelUrl('http://127.0.0.1:8080', 'a.b'), 'http://127.0.0.1:8080/o/a.b.gif');
    assert.throws(() => buildClickUrl('not a url', 'a.b'));
  });
});
