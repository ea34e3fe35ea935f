import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Who is who, for the warehouse: the row of `person_identities` (sql/tables/person_identities.sql).
 * The profile stage writes one row each time an identity is linked to a person — a new anonymous
 * id, a login (user id), an address — and, when a merge absorbs a person, one row of kind `person`
 * (value = the absorbed person, person_id = the one it was merged into) plus a row moving each of
 * the absorbed person's identities to the survivor. sql/views/person_surviving.sql and
 * events_with_person.sql turn this into "the person of every event and every send, merges included".
 */
export const IdentityKind = z.enum(['user_id', 'anonymous_id', 'email', 'person']);
export type IdentityKind = z.infer<typeof IdentityKind>;

const Instant = z.iso.datetime({ offset: false });

export const PersonIdentityRow = z.object({
  /** hash(kind, value, person_id): the same link written twice is one row. */
  identity_link_id: z.string().min(1),
  identity_kind: IdentityKind,
  /** The id, the lower-cased address, or (kind person) the absorbed person's id. */
  identity_value: z.string().min(1),
  person_id: z.string().min(1),
  /** When the profile stage linked it (its clock at the fold). */
  linked_at: Instant,
});
export type PersonIdentityRow = z.infer<typeof PersonIdentityRow>;

export function personIdentityRow(kind: IdentityKind, value: string, personId: string, linkedAt: string): PersonIdentityRow {
  const identity_link_id = createHash('sha256').update(JSON.stringify([kind, value, personId])).digest('hex').slice(0, 32);
  return { identity_link_id, identity_kind: kind, identity_value: value, person_id: personId, linked_at: linkedAt };
}
