import type { ReconcileProgress } from '../../../pipelines/reconcile/run-reconciliation.ts';

type ProgressStream = { isTTY?: boolean; columns?: number; write: (text: string) => unknown };

/**
 * A one-line progress display on stderr while a terminal watches (nothing when piped or logged, so
 * scripts and cron mail get only the summary). The walk's total is not known up front — the
 * profile store pages with a cursor and has no count — so it shows what is done, not a percentage;
 * that is also why no progress-bar library is used: they draw a bar toward a total.
 */
export function createReconcileProgress(stream: ProgressStream, label: string): { update: (progress: ReconcileProgress) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let shown = false;
  return {
    update: (progress) => {
      const line = `${spinner[progress.pages % spinner.length]} ${label}: ${formatProgress(progress)}`;
      stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}\u001b[K`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}

export function formatProgress(progress: ReconcileProgress): string {
  return `${progress.people_checked} people checked · ${progress.people_with_diffs} with diffs · ${progress.fixes_applied} fixed · ${progress.fixes_skipped} skipped`;
}
