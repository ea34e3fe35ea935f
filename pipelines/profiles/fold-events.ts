import { monotonicFactory } from 'ulid';
import type { NudgeEvent } from '../events/nudge-event.ts';
import type { JourneyTimer } from '../journeys/journey-timer.ts';
import type { Clock } from '../shared/clock.ts';
import { allIdentityKeys, identityKeysOf, type IdentityKey } from './identity-key.ts';
import { mergeProfiles } from './merge-profiles.ts';
import { emptyProfile, type Profile } from './profile.ts';
import { repairProfile } from './repair-profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
import { profileFromEvent } from './profile-from-event.ts';
import { maxMergeChainHops } from './surviving-profile.ts';
import type { ProfileStore, ProfileTx } from './profile-store.ts';
import { listedIdentityKeys, planIdentities } from './stitch-identities.ts';

export type FoldOutcome = 'applied' | 'duplicate' | 'ignored';

export type FoldResult = {
  /** One entry per input event, in input order. person_id is set for applied events. */
  outcomes: { event_id: string; outcome: FoldOutcome; person_id: string | null }[];
  /** Persons whose profile this call wrote (sorted). */
  person_ids: string[];
  /** Persons merged into another by this call. */
  merged: { from: string; into: string }[];
  /** Identity keys this call linked to a person (new ones, and those moved by a merge), by person. */
  linked: { person_id: string; keys: IdentityKey[] }[];
  /**
   * Identity keys of redelivered events (applied before) with the person each belongs to now: the
   * first delivery's identity rows may have been lost after its commit (record-identity-links.ts),
   * and a redelivery is the only second chance. Keys this call links anew are in `linked` instead.
   */
  confirmed: { person_id: string; keys: IdentityKey[] }[];
};

export type FoldEventsDeps = {
  store: ProfileStore;
  clock: Clock;
  /** A new person id; sortable by creation (ULID), so "smallest" means "oldest" when merging. */
  newPersonId: () => string;
  config?: ProfileConfig;
  /** Structured log for values dropped from events and repaired stored profiles (no personal data). */
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Journeys react inside the same transaction: the timers it returns are armed or cancelled
   * together with the profile write, so a cart and its reminder can never disagree.
   */
  onPersonFolded?: (change: PersonFolded) => { put: readonly JourneyTimer[]; remove: readonly string[] };
};

export type PersonFolded = {
  person_id: string;
  before: Profile | null;
  after: Profile;
  /** Events this fold applied to the person, in input order (duplicates left out). */
  events: readonly NudgeEvent[];
};


/**
 * Folds a batch of events into profiles in ONE transaction: resolve identities, load profiles
 * (following merged_into), skip events already applied or repeated in the batch, stitch, merge,
 * write each touched profile once with its version bumped, link identity keys, mark events
 * applied. Every read happens before the first write (Firestore's rule). Because the store may
 * run the transaction again, the work has no side effect but the tx writes.
 *
 * Writes per call ≈ events + new identity keys + touched profiles; keep batches well under
 * Firestore's 500 writes per transaction (the coalescer's maxBatch).
 */
export function createFoldEvents(deps: FoldEventsDeps): (events: readonly NudgeEvent[]) => Promise<FoldResult> {
  const config = deps.config ?? defaultProfileConfig;
  return (events) => deps.store.transact((tx) => foldInTx(tx, events, deps, config));
}

async function foldInTx(tx: ProfileTx, events: readonly NudgeEvent[], deps: FoldEventsDeps, config: ProfileConfig): Promise<FoldResult> {
  const outcomes: FoldResult['outcomes'] = events.map((event) => ({ event_id: event.event_id, outcome: 'ignored', person_id: null }));
  const seenIds = new Set<string>();
  const fragments = new Map<number, Profile>();
  const candidates: number[] = [];
  events.forEach((event, index) => {
    if (seenIds.has(event.event_id)) {
      outcomes[index]!.outcome = 'duplicate';
      return;
    }
    seenIds.add(event.event_id);
    if (allIdentityKeys(identityKeysOf(event)).length === 0) return;
    const fragment = profileFromEvent(event, config, (field, reason) =>
      deps.log?.({ severity: 'WARNING', message: 'event value dropped: the profile cannot keep it', event_id: event.event_id, field, reason }),
    );
    if (!fragment) return;
    fragments.set(index, fragment);
    candidates.push(index);
  });
  if (candidates.length === 0) return { outcomes, person_ids: [], merged: [], linked: [], confirmed: [] };

  // --- reads ---
  const applied = await tx.findAppliedEvents(candidates.map((index) => events[index]!.event_id));
  const toApply = candidates.filter((index) => {
    if (!applied.has(events[index]!.event_id)) return true;
    outcomes[index]!.outcome = 'duplicate';
    return false;
  });
  const redeliveredKeys = [...new Set(candidates.filter((index) => applied.has(events[index]!.event_id)).flatMap((index) => allIdentityKeys(identityKeysOf(events[index]!))))];
  const currentOwners = redeliveredKeys.length > 0 ? await tx.resolveIdentities(redeliveredKeys) : new Map<IdentityKey, string>();
  if (toApply.length === 0) return { outcomes, person_ids: [], merged: [], linked: [], confirmed: groupByPerson(currentOwners, new Set()) };

  const keys = [...new Set(toApply.flatMap((index) => allIdentityKeys(identityKeysOf(events[index]!))))];
  const resolved = await tx.resolveIdentities(keys);
  const now = deps.clock.now().toISOString();
  const profiles = await loadWithChains(tx, [...new Set(resolved.values())], now, deps.log);

  const plan = planIdentities({ resolved, profiles, newPersonId: deps.newPersonId });
  const assigned = toApply.map((index) => ({ index, person: plan.assign(events[index]!) }));

  // Keys listed on absorbed persons that the batch did not mention: relink those still pointing
  // at the absorbed person (a listed key may since belong to someone else).
  const listed = [...plan.absorbed.keys()].flatMap((loser) => listedIdentityKeys(profiles.get(loser)!)).filter((key) => !plan.owns(key));
  const listedOwners = listed.length > 0 ? await tx.resolveIdentities([...new Set(listed)]) : new Map<IdentityKey, string>();

  // --- plan the writes ---
  const fragmentsOf = new Map<string, Profile[]>();
  const eventsOf = new Map<string, string[]>();
  const appliedOf = new Map<string, NudgeEvent[]>();
  for (const { index, person } of assigned) {
    const winner = plan.canonical(person);
    const event = events[index]!;
    outcomes[index] = { event_id: event.event_id, outcome: 'applied', person_id: winner };
    fragmentsOf.set(winner, [...(fragmentsOf.get(winner) ?? []), fragments.get(index)!]);
    eventsOf.set(winner, [...(eventsOf.get(winner) ?? []), event.event_id]);
    appliedOf.set(winner, [...(appliedOf.get(winner) ?? []), event]);
  }
  const losersOf = new Map<string, string[]>();
  for (const loser of plan.absorbed.keys()) {
    const winner = plan.canonical(loser);
    losersOf.set(winner, [...(losersOf.get(winner) ?? []), loser]);
  }
  const links = plan.changedLinks();
  for (const [key, person] of listedOwners) {
    const winner = plan.canonical(person);
    if (winner !== person) links.set(winner, [...(links.get(winner) ?? []), key]);
  }

  // --- writes ---
  const written = [...new Set([...fragmentsOf.keys(), ...losersOf.keys()])].sort();
  for (const personId of written) {
    const stored = profiles.get(personId);
    const losers = (losersOf.get(personId) ?? []).map((loser) => profiles.get(loser)!);
    // The merge is associative: the batch's small fragments are combined first, then merged
    // into the (possibly large) stored profile once.
    const batch = (fragmentsOf.get(personId) ?? []).reduce<Profile | null>((sum, fragment) => (sum ? mergeProfiles(sum, fragment, config) : fragment), null);
    let profile = stored ?? emptyProfile(personId, now, config);
    for (const loser of losers) profile = mergeProfiles(profile, { ...loser, person_id: personId }, config);
    if (batch) profile = mergeProfiles(profile, batch, config);
    const createdAt = [stored, ...losers].reduce((min, p) => (p && p.created_at < min ? p.created_at : min), stored?.created_at ?? now);
    const after: Profile = { ...profile, person_id: personId, merged_into: null, version: (stored?.version ?? 0) + 1, created_at: createdAt, updated_at: now };
    tx.putProfile(after);
    if (deps.onPersonFolded) {
      const timers = deps.onPersonFolded({ person_id: personId, before: stored ?? null, after, events: appliedOf.get(personId) ?? [] });
      for (const timerId of timers.remove) tx.deleteTimer(timerId);
      for (const timer of timers.put) tx.putTimer(timer);
    }
    for (const loser of losers) {
      tx.putProfile({ ...loser, merged_into: personId, version: loser.version + 1, updated_at: now });
    }
  }
  const linked = [...links].map(([person_id, personKeys]) => ({ person_id, keys: [...new Set(personKeys)].sort() })).sort((a, b) => (a.person_id < b.person_id ? -1 : 1));
  for (const { person_id, keys: personKeys } of linked) tx.linkIdentities(personKeys, person_id);
  for (const [personId, eventIds] of eventsOf) tx.markApplied(eventIds, personId, new Date(now));

  const merged = [...plan.absorbed.keys()].sort().map((from) => ({ from, into: plan.canonical(from) }));
  const relinked = new Set(linked.flatMap((link) => link.keys));
  return { outcomes, person_ids: written, merged, linked, confirmed: groupByPerson(currentOwners, relinked) };
}

/** key → person, as { person_id, keys } sorted, leaving out the keys in `except`. */
function groupByPerson(owners: ReadonlyMap<IdentityKey, string>, except: ReadonlySet<IdentityKey>): { person_id: string; keys: IdentityKey[] }[] {
  const byPerson = new Map<string, IdentityKey[]>();
  for (const [key, person] of owners) if (!except.has(key)) byPerson.set(person, [...(byPerson.get(person) ?? []), key]);
  return [...byPerson].map(([person_id, keys]) => ({ person_id, keys: keys.sort() })).sort((a, b) => (a.person_id < b.person_id ? -1 : 1));
}

/** Profiles of these persons and of every person they were merged into. */
async function loadWithChains(tx: ProfileTx, personIds: string[], now: string, log: FoldEventsDeps['log']): Promise<Map<string, Profile>> {
  const loaded = new Map<string, Profile>();
  const requested = new Set<string>(personIds);
  let next = personIds;
  for (let hop = 0; next.length > 0 && hop <= maxMergeChainHops; hop++) {
    const found = await tx.getProfiles(next);
    for (const [id, doc] of found) loaded.set(id, readStoredProfile(id, doc, now, log));
    next = [...found.values()]
      .map((profile) => profile.merged_into)
      .filter((id): id is string => typeof id === 'string' && !requested.has(id));
    for (const id of next) requested.add(id);
  }
  return loaded;
}

/**
 * Stored documents are parsed, so documents from older versions get today's defaults; one that
 * no longer parses is repaired (the bad values dropped, logged) rather than refusing every later
 * event of the person — an order or an unsubscribe must still land.
 */
function readStoredProfile(personId: string, doc: unknown, now: string, log: FoldEventsDeps['log']): Profile {
  const { profile, dropped } = repairProfile(personId, doc, now);
  if (dropped.length > 0) log?.({ severity: 'WARNING', message: 'stored profile repaired: unreadable values dropped', person_id: personId, dropped });
  return profile;
}

/** ULIDs from the injected clock: sortable by creation, so merges keep the oldest person. */
export function createPersonIdFactory(clock: Clock): () => string {
  const next = monotonicFactory();
  return () => next(clock.now().getTime());
}
