import type { NudgeEvent } from '../events/nudge-event.ts';
import { identityKey, identityKeysOf, type IdentityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';

/**
 * Identity stitching for one batch, in memory: which person each event belongs to, which persons
 * become one, which identity keys must point where. The fold reads everything first, asks this
 * planner, then writes (Firestore's reads-before-writes rule).
 *
 * Rules:
 *  - an event's keys (user id, email, anonymous id) belong to one person: persons they point at
 *    are merged into the smallest person id (ids are ULIDs, so the oldest person survives);
 *  - except that two different user ids are never merged by stitching (a shared computer, a
 *    family email): a person whose user id differs from the event's is left alone, and when the
 *    event has a user id, its anonymous id and email move to that user's person;
 *  - alias merges the persons of user_id and previous_id unconditionally — it says they are one.
 */
export type IdentityPlanInput = {
  /** identity key → person id, as the store has them. */
  resolved: ReadonlyMap<IdentityKey, string>;
  /** Every profile read, including those reached through merged_into. */
  profiles: ReadonlyMap<string, Profile>;
  newPersonId: () => string;
};

export type IdentityPlan = ReturnType<typeof planIdentities>;

export function planIdentities(input: IdentityPlanInput) {
  const redirect = new Map<string, string>();
  for (const [id, profile] of input.profiles) {
    if (profile.merged_into && profile.merged_into !== id && input.profiles.has(profile.merged_into)) redirect.set(id, profile.merged_into);
  }
  const owner = new Map<IdentityKey, string>(input.resolved);
  const userOf = new Map<string, string | null>();
  const created = new Set<string>();
  /** Persons with a stored profile that this batch merged into another. */
  const absorbed = new Map<string, string>();

  const canonical = (id: string): string => {
    const visited = new Set<string>();
    let current = id;
    while (redirect.has(current) && !visited.has(current)) {
      visited.add(current);
      current = redirect.get(current)!;
    }
    return current;
  };
  const ownerOf = (key: IdentityKey | null) => (key && owner.has(key) ? canonical(owner.get(key)!) : null);
  const userIdOf = (person: string | null) => (person === null ? null : (userOf.get(person) ?? input.profiles.get(person)?.identities.user_id ?? null));

  const create = (userId: string | null) => {
    const id = input.newPersonId();
    created.add(id);
    userOf.set(id, userId);
    return id;
  };
  const unite = (persons: string[]): string => {
    const winner = [...persons].sort()[0]!;
    for (const loser of persons) {
      if (loser === winner) continue;
      userOf.set(winner, userIdOf(winner) ?? userIdOf(loser));
      redirect.set(loser, winner);
      // Only a stored profile has something to hand over and to mark merged.
      if (input.profiles.has(loser)) absorbed.set(loser, winner);
    }
    return winner;
  };

  /** Decides the person of one event and records the links it implies; returns that person. */
  const assign = (event: NudgeEvent): string => {
    const keys = identityKeysOf(event);
    const own = [keys.user, keys.email, keys.anon];
    if (event.kind === 'alias') {
      const persons = distinct([...own, ...keys.previous].map(ownerOf));
      const target = persons.length > 0 ? unite(persons) : create(event.user_id);
      for (const key of own) if (key && ownerOf(key) !== target) owner.set(key, target);
      // previous_id never seen: remember it both ways, as it may be either kind of id.
      if (keys.previous.every((key) => ownerOf(key) === null)) for (const key of keys.previous) owner.set(key, target);
      return target;
    }
    const userOwner = ownerOf(keys.user);
    const owners = distinct(own.map(ownerOf));
    const wantedUser = event.user_id ?? userIdOf(ownerOf(keys.email)) ?? userIdOf(ownerOf(keys.anon));
    const compatible = owners.filter((person) => {
      const userId = userIdOf(person);
      return person === userOwner || userId === null || userId === wantedUser;
    });
    const target = compatible.length > 0 ? unite(compatible) : create(event.user_id);
    for (const key of own) {
      if (!key) continue;
      const current = ownerOf(key);
      // A logged-in user takes over the device and address they are using now.
      if (current === null || (current !== target && event.user_id)) owner.set(key, target);
    }
    if (event.user_id && userIdOf(target) === null) userOf.set(target, event.user_id);
    return target;
  };

  /** Keys whose person changed: new keys, keys of merged persons, keys behind merged_into chains. */
  const changedLinks = (): Map<string, IdentityKey[]> => {
    const byPerson = new Map<string, IdentityKey[]>();
    for (const [key, person] of owner) {
      const target = canonical(person);
      if (input.resolved.get(key) !== target) byPerson.set(target, [...(byPerson.get(target) ?? []), key]);
    }
    return byPerson;
  };

  return { assign, canonical, changedLinks, absorbed, created, owns: (key: IdentityKey) => owner.has(key) };
}

function distinct(persons: (string | null)[]): string[] {
  return [...new Set(persons.filter((person): person is string => person !== null))];
}

/** The identity keys a profile lists (its recent anonymous ids, emails, user id). */
export function listedIdentityKeys(profile: Profile): IdentityKey[] {
  return [
    ...profile.identities.anonymous_ids.map((id) => identityKey('anon', id)),
    ...profile.identities.emails.map((email) => identityKey('email', email)),
    ...(profile.identities.user_id ? [identityKey('user', profile.identities.user_id)] : []),
  ];
}
