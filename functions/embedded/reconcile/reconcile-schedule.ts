import { ConfigError } from '../../config-error.ts';

/** When the embedded host reconciles each night (UTC), or null when NUDGE_RECONCILE_AT=off. */
export type ReconcileAt = { hour: number; minute: number } | null;

/** 03:00 UTC: after most shops' evening peak, before the morning's first emails. */
export const defaultReconcileAt = '03:00';

/** NUDGE_RECONCILE_AT: `HH:MM` (UTC, 24-hour) or `off`; unset means 03:00. */
export function parseReconcileAt(env: Readonly<Record<string, string | undefined>>): ReconcileAt {
  const value = (env.NUDGE_RECONCILE_AT ?? '').trim() || defaultReconcileAt;
  if (value.toLowerCase() === 'off') return null;
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  const [hour, minute] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) {
    throw new ConfigError(`NUDGE_RECONCILE_AT must be a UTC time HH:MM (e.g. 03:00) or "off", got "${env.NUDGE_RECONCILE_AT}"`);
  }
  return { hour, minute };
}

/**
 * Whether the nightly run is due at `now`: today's time has passed and no run started since it.
 * Reading the last start from reconciliation_runs (not memory) means a host restarted after a
 * crash still runs that night, and a restart after the run does not run it twice. A host that was
 * down at the time runs it when it comes back, the same day. (A warehouse that never had a run
 * counts the host's start as its last run: a new install waits for its first night.)
 */
export function isReconcileDue(now: Date, at: NonNullable<ReconcileAt>, lastStartedAt: string | null): boolean {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), at.hour, at.minute);
  if (now.getTime() < today) return false;
  return lastStartedAt === null || Date.parse(lastStartedAt) < today;
}
