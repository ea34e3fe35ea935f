import type { NudgeEvent } from '../events/nudge-event.ts';
import type { Clock } from '../shared/clock.ts';
import { recordIdentityLinks, type FactQueue } from '../warehouse/fact-rows.ts';
import type { FoldResult } from './fold-events.ts';
import { parseIdentityKey } from './identity-key.ts';
import { personIdentityRow, type IdentityKind, type PersonIdentityRow } from './person-identity-row.ts';

const kindOf: Record<string, IdentityKind> = { anon: 'anonymous_id', user: 'user_id', email: 'email' };

/**
 * The `person_identities` rows of one fold: each identity it linked to a person, and for each merge
 * the absorbed person (kind `person`) pointing at the one it was merged into. The keys a merge
 * moves are among the linked ones, so after a merge every identity of the absorbed person has a
 * row to the survivor. Only changes are written (a page view of a known browser writes nothing) —
 * and, for events delivered again, their identities as they stand (`confirmed`), since the first
 * delivery's rows may be what was lost.
 */
export function identityRowsOf(result: Pick<FoldResult, 'linked' | 'merged'> & Partial<Pick<FoldResult, 'confirmed'>>, linkedAt: Date): PersonIdentityRow[] {
  const at = linkedAt.toISOString();
  const rows: PersonIdentityRow[] = [];
  for (const { person_id, keys } of [...result.linked, ...(result.confirmed ?? [])]) {
    for (const key of keys) {
      const parsed = parseIdentityKey(key);
      const kind = parsed ? kindOf[parsed.kind] : undefined;
      if (parsed && kind) rows.push(personIdentityRow(kind, parsed.value, person_id, at));
    }
  }
  for (const { from, into } of result.merged) rows.push(personIdentityRow('person', from, into, at));
  return rows;
}

/**
 * A fold that also tells the warehouse who is who: after the profile transaction commits, its
 * identity rows go to the fact queue (warehouse-person_identities), never inside the transaction
 * (which may run more than once). A failed queue write fails the fold's caller, whose message is
 * redelivered; the redelivered events are duplicates then, and their identities are written again
 * as they stand (`confirmed`). What that cannot bring back is a merge's `person` row: the nightly
 * reconciliation (issue 8) is to rebuild those from the profiles.
 */
export function recordingIdentityLinks<R extends Pick<FoldResult, 'linked' | 'merged'> & Partial<Pick<FoldResult, 'confirmed'>>>(
  fold: (events: readonly NudgeEvent[]) => Promise<R>,
  deps: { facts: FactQueue; clock: Clock },
): (events: readonly NudgeEvent[]) => Promise<R> {
  return async (events) => {
    const result = await fold(events);
    await recordIdentityLinks(deps.facts, identityRowsOf(result, deps.clock.now()));
    return result;
  };
}
