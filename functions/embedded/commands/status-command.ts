import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { systemClock, type Clock } from '../../../pipelines/shared/clock.ts';
import { ConfigError, dataDirOf } from '../config.ts';
import { readLiveHost } from '../host-file.ts';
import { openEmbeddedWarehouseSession } from './embedded-warehouse-session.ts';
import { formatTable } from './format-table.ts';
import { readBusStatus, type BusStatus } from './read-bus-status.ts';
import { readLagStatus, readReconciliationStatus, type LagStatus, type ReconciliationStatus } from './read-warehouse-status.ts';

export type StatusOptions = {
  json: boolean;
  env: Readonly<Record<string, string | undefined>>;
};

export type NudgeStatus = {
  data_dir: string;
  host: { running: boolean; url?: string; pid?: number };
  subscriptions: BusStatus['subscriptions'];
  dead_letters: BusStatus['dead_letters'];
  lag: LagStatus;
  last_reconciliation: ReconciliationStatus;
  /** Why bus.db exists but could not be read (then subscriptions and dead_letters are unknown, not empty). */
  bus_unreadable?: string;
};

/**
 * `nudge status`: is the embedded pipeline keeping up? Backlog and oldest unacked message per bus
 * subscription, dead letters per stage or subscription, event → profile lag p95 over the last
 * hour (pipeline_latency_samples) and the last reconciliation.
 *
 * Works with the host running or not: bus.db is read directly (SQLite lets a reader in beside
 * the writer), the warehouse through the host while it holds the DuckDB file (as `nudge query`).
 * A data dir that does not exist, or is no directory, is refused and never created; a part that
 * cannot be read says why in its own place, so one broken file does not hide the rest — and the
 * command then exits 1 naming it (a monitoring script must not read a corrupt bus.db or
 * warehouse.duckdb as an empty, healthy pipeline). Only a missing file is a state ("no bus yet").
 */
export async function runStatusCommand(options: StatusOptions, out: Writable, deps: { clock?: Clock } = {}): Promise<number> {
  const dataDir = dataDirOf(options.env);
  if (!existsSync(dataDir)) {
    console.error(`nudge: no nudge state in ${dataDir}: start nudge with this data dir first (npm start), or point NUDGE_DATA_DIR / --data-dir at the one it uses`);
    return 1;
  }
  if (!statSync(dataDir).isDirectory()) {
    console.error(`nudge: ${dataDir} is not a directory: point NUDGE_DATA_DIR / --data-dir at the data dir nudge uses`);
    return 1;
  }
  const now = (deps.clock ?? systemClock).now();
  const { status, problems } = await readStatus(dataDir, now);
  out.write(options.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
  // A store that exists but cannot be read is a failure, never an empty (healthy-looking) status.
  for (const problem of problems) console.error(`nudge: ${problem}`);
  return problems.length > 0 ? 1 : 0;
}

async function readStatus(dataDir: string, now: Date): Promise<{ status: NudgeStatus; problems: string[] }> {
  const problems: string[] = [];
  const host = readLiveHost(dataDir);
  const busFile = join(dataDir, 'bus.db');
  let bus: BusStatus = { subscriptions: [], dead_letters: [] };
  let busUnreadable: string | undefined;
  if (existsSync(busFile)) {
    try {
      // SQLite reads a 0-byte file as an empty database: that is a broken bus, not "no bus yet".
      if (statSync(busFile).size === 0) throw new Error('the file is empty');
      bus = readBusStatus(busFile, now);
    } catch (error) {
      busUnreadable = firstLine(error);
      problems.push(`cannot read ${busFile}: ${busUnreadable}`);
    }
  }

  let lag: LagStatus;
  let last_reconciliation: ReconciliationStatus;
  try {
    const session = await openEmbeddedWarehouseSession(dataDir);
    try {
      lag = await readLagStatus(session.query, now);
      last_reconciliation = await readReconciliationStatus(session.query);
    } finally {
      await session.close();
    }
  } catch (error) {
    // No warehouse file yet is a state (nothing ran); one that exists but cannot be read is a failure.
    const why = error instanceof ConfigError ? `no warehouse in ${dataDir}` : firstLine(error);
    if (!(error instanceof ConfigError)) problems.push(`cannot read the warehouse in ${dataDir}: ${why}`);
    lag = { hop: 'collected_to_profiled', window_minutes: 60, unavailable: why };
    last_reconciliation = { state: 'unknown', error: why };
  }
  const status: NudgeStatus = {
    data_dir: dataDir,
    host: host ? { running: true, url: host.url, pid: host.pid } : { running: false },
    subscriptions: bus.subscriptions,
    dead_letters: bus.dead_letters,
    lag,
    last_reconciliation,
  };
  if (busUnreadable) status.bus_unreadable = busUnreadable;
  return { status, problems };
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function formatStatus(status: NudgeStatus): string {
  const lines: string[] = [];
  lines.push(`Data dir: ${status.data_dir} (host ${status.host.running ? `running at ${status.host.url}, pid ${status.host.pid}` : 'not running'})`, '');
  lines.push('Bus subscriptions');
  lines.push(
    status.bus_unreadable
      ? `unknown (bus.db cannot be read: ${status.bus_unreadable})\n`
      : status.subscriptions.length === 0
      ? '(no bus yet)\n'
      : formatTable(status.subscriptions.map((s) => ({ subscription: s.subscription, topic: s.topic, backlog: s.backlog, leased: s.leased, retrying: s.retrying, oldest_unacked: s.oldest_unacked_age_ms === null ? '-' : formatDuration(s.oldest_unacked_age_ms) }))),
  );
  lines.push('Dead letters');
  lines.push(status.bus_unreadable ? 'unknown (bus.db cannot be read)\n' : status.dead_letters.length === 0 ? '(none)\n' : formatTable(status.dead_letters.map((d) => ({ kind: d.kind, origin: d.origin, count: d.count, newest_at: d.newest_at }))));
  lines.push(`Event → profile lag, last ${status.lag.window_minutes} min: ${formatLag(status.lag)}`);
  lines.push(`Last reconciliation: ${formatReconciliation(status.last_reconciliation)}`);
  return `${lines.join('\n')}\n`;
}

function formatLag(lag: LagStatus): string {
  if ('unavailable' in lag) return `unavailable (${lag.unavailable})`;
  if (lag.samples === 0 || lag.p95_ms === null) return 'no samples (no new identity was profiled)';
  return `p95 ${formatDuration(lag.p95_ms)} over ${lag.samples} new ${lag.samples === 1 ? 'identity' : 'identities'}`;
}

function formatReconciliation(run: ReconciliationStatus): string {
  if (run.state === 'never_run') return 'never run';
  if (run.state === 'unknown') return `unknown (${run.error})`;
  const when = run.finished_at ? `finished ${run.finished_at}` : `started ${run.started_at}, not finished`;
  return `${run.run_id}${run.dry_run ? ' (dry run)' : ''}, ${when}: ${run.people_checked} people checked, ${run.fixes_applied} fixes applied, ${run.fixes_skipped} skipped`;
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 07 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}
