/**
 * How a person is recognised. One index entry per key points at the person's profile, so an
 * anonymous browser that later logs in (user id) or gives an email joins the same person.
 */
export type IdentityKind = 'anon' | 'user' | 'email' | 'held';
export type IdentityKey = `${IdentityKind}:${string}`;

/**
 * `held:<address>` is not an identity events carry: it names the person on whom a hard bounce or a
 * spam complaint at that address was recorded (engagement/suppress-person.ts), so that anyone else
 * later written to the same mailbox is held too (engagement/suppression.ts, suppressionOfAddress).
 * Unlike `email:`, which moves to whoever gives the address last, it stays where it was recorded.
 */
export function identityKey(kind: IdentityKind, value: string): IdentityKey {
  return `${kind}:${kind === 'email' || kind === 'held' ? value.trim().toLowerCase() : value}`;
}

export function parseIdentityKey(key: string): { kind: IdentityKind; value: string } | null {
  const at = key.indexOf(':');
  const kind = key.slice(0, at);
  if (at <= 0 || (kind !== 'anon' && kind !== 'user' && kind !== 'email')) return null;
  return { kind, value: key.slice(at + 1) };
}

/** The identity keys one event carries, strongest first in meaning: user, email, anonymous. */
export type EventIdentityKeys = {
  user: IdentityKey | null;
  email: IdentityKey | null;
  anon: IdentityKey | null;
  /**
   * alias: previous_id, read both ways. Segment lets it be an anonymous id or an older user id,
   * and nothing in the call says which.
   */
  previous: IdentityKey[];
};

export function identityKeysOf(event: {
  kind: string;
  user_id: string | null;
  email: string | null;
  anonymous_id: string | null;
  previous_id: string | null;
}): EventIdentityKeys {
  const present = (value: string | null) => value !== null && value.trim() !== '';
  return {
    user: present(event.user_id) ? identityKey('user', event.user_id!) : null,
    email: present(event.email) ? identityKey('email', event.email!) : null,
    anon: present(event.anonymous_id) ? identityKey('anon', event.anonymous_id!) : null,
    previous:
      event.kind === 'alias' && present(event.previous_id)
        ? [identityKey('anon', event.previous_id!), identityKey('user', event.previous_id!)]
        : [],
  };
}

/** All keys of an event in one list (no duplicates). */
export function allIdentityKeys(keys: EventIdentityKeys): IdentityKey[] {
  const list = [keys.user, keys.email, keys.anon, ...keys.previous].filter((key): key is IdentityKey => key !== null);
  return [...new Set(list)];
}
