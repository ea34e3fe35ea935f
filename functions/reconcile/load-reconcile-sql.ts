import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReconcileDeps } from '../../pipelines/reconcile/run-reconciliation.ts';

/**
 * The SQL of sql/reconcile/, read once by whichever runtime runs the job: the embedded host and
 * `nudge reconcile` from the repository, the GCP function from its package (sql/ is shipped
 * beside dist/). Found by walking up from this module unless `sqlDir` is given.
 */
export function loadReconcileSql(sqlDir: string = findSqlDir()): ReconcileDeps['sql'] {
  const read = (name: string) => readFileSync(join(sqlDir, 'reconcile', `${name}.sql`), 'utf8');
  return { pruneHistory: read('prune_history'), stageHistory: read('stage_person_history'), readHistory: read('read_person_history'), personEvents: read('person_events'), resumeCursor: read('resume_cursor') };
}

function findSqlDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sql', 'reconcile'))) return join(dir, 'sql');
    if (dirname(dir) === dir) throw new Error('Cannot find sql/reconcile/; pass sqlDir to loadReconcileSql');
  }
}
