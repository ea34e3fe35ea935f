import { NudgeEvent } from '../events/nudge-event.ts';
import { applyEvent } from '../profiles/apply-event.ts';
import { emptyProfile, type Profile } from '../profiles/profile.ts';
import { defaultProfileConfig, type ProfileConfig } from '../profiles/profile-config.ts';

/**
 * The profile the history alone gives: the person's events (sql/reconcile/person_events.sql)
 * folded through the very fold the profile stage runs (applyEvent = mergeProfiles with the
 * event's fragment). Fixes are taken from it rather than from the SQL's values, so a fixed
 * profile carries the state (clocks, cart logs, counters) later events merge into — a view
 * overwritten with the SQL's answer would be undone, or double-counted, by the next event.
 * The merge is order-independent, so the order rows arrive in does not matter. Pure.
 */
export function refoldHistory(personId: string, events: readonly NudgeEvent[], at: string, config: ProfileConfig = defaultProfileConfig): Profile {
  return events.reduce((profile, event) => applyEvent(profile, event, config), emptyProfile(personId, at, config));
}

/** Reads person_events.sql rows as events; a row that is not a NudgeEvent is an error naming the field. */
export function readHistoryEvents(rows: readonly Record<string, unknown>[]): NudgeEvent[] {
  return rows.map((row) => {
    const { person_id: _personId, ...fields } = row;
    const parsed = NudgeEvent.safeParse(fields);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new Error(`person_events row ${String(row.event_id)}: ${issue.path.join('.') || '(row)'}: ${issue.message}`);
  });
}
