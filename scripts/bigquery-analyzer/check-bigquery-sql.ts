/**
 * Checks every piece of BigQuery SQL in the repository with Google's ZetaSQL analyzer set to
 * BigQuery's language, against the tables sql/tables/*.schema.json declare. Used by the CLI
 * (scripts/check-bigquery-sql.mjs) and by check-bigquery-sql.test.ts (so `npm test` runs it).
 */
import { join } from 'node:path';
import { AnalyzerFailedError, analyzeSql, type Finding, type SqlSource } from './analyze-sql.ts';
import { addSchemaTables, createCatalog, type BigQueryCatalog } from './bigquery-catalog.ts';
import { startAnalyzerServer } from './analyzer-server.ts';
import { readAllSources } from './sql-sources.ts';

/** terraform's var.bigquery_dataset_id default, which `${dataset}` renders to. */
export const checkedDataset = 'nudge';

export type CheckedSource = { source: SqlSource; statements: number; finding?: Finding };

export type CheckReport = { checked: CheckedSource[]; findings: Finding[]; analyzerStartMs: number };

export function formatFinding(finding: Finding): string {
  return `${finding.path}:${finding.line}:${finding.column}: ${finding.what ? `${finding.what}: ` : ''}${finding.message}`;
}

/** Project ids the SQL qualifies the dataset with (`my-shop.nudge.events`), so they resolve too. */
function noteProjects(catalog: BigQueryCatalog, sources: readonly SqlSource[]): void {
  const pattern = new RegExp(`\`?([A-Za-z][\\w-]*[\\w])\`?\\.\`?${catalog.dataset}\`?\\.`, 'g');
  for (const { sql } of sources) for (const match of sql.matchAll(pattern)) catalog.projects.add(match[1]!);
}

/** Checks each source in order; one catalog throughout, so later SQL sees earlier views. */
export async function checkSources(sources: readonly SqlSource[], { root, dataset = checkedDataset }: { root: string; dataset?: string }): Promise<CheckReport> {
  const catalog = createCatalog(dataset);
  addSchemaTables(catalog, join(root, 'sql', 'tables'));
  noteProjects(catalog, sources);
  const server = await startAnalyzerServer();
  try {
    const checked: CheckedSource[] = [];
    for (const source of sources) {
      try {
        checked.push({ source, ...(await analyzeSql(catalog, source)) });
      } catch (error) {
        // Not a verdict on the SQL (the server crashed, a schema is malformed): stop, say where.
        const detail = error instanceof AnalyzerFailedError ? `\n${server.output().trim()}` : '';
        throw new Error(`${source.path}${source.what ? ` ${source.what}` : ''}: ${error instanceof Error ? error.message : String(error)}${detail}`, { cause: error });
      }
    }
    return { checked, findings: checked.flatMap((c) => (c.finding ? [c.finding] : [])), analyzerStartMs: server.startedInMs };
  } finally {
    await server.stop();
  }
}

export async function checkRepository(root: string): Promise<CheckReport> {
  return checkSources(await readAllSources(root), { root });
}
