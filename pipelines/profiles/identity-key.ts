/**
 * How a person is recognised. One index entry per key points at the person's profile, so an
 * anonymous browser that later logs in (user id) or gives an email joins the same person.
 */
export type IdentityKind = 'anon' | 'user' | 'email';
export type IdentityKey = `${IdentityKind}:${string}`;

export function identityKey(kind: IdentityKind, value: string): IdentityKey {
  return `${kind}:${kind === 'email' ? value.trim().toLowerCase() : value}`;
}

export function parseIdentityKey(key: string): { kind: IdentityKind; value: string } | null {
  const at = key.indexOf(':');
  const kind = key.slice(0, at);
  if (at <= 0 || (kind !== 'anon' && kind !== 'user' && kind !== 'email')) return null;
  return { kind, value: key.slice(at + 1) };
}
