/**
 * Checks every piece of BigQuery SQL in the repository with Google's ZetaSQL analyzer set to
 * BigQuery's language, against the tables sql/tables/*.schema.json declare. Used by the CLI
 * (scripts/check-bigquery-sql.mjs) and by check-bigquery-sql.test.ts (so `npm test` runs it).
 */
import { join } from 'node:path';
import { AnalyzerFailedError, analyzeSql, type AnalyzeOutcome, type Finding, type SqlSource } from './analyze-sql.ts';
import { addSchemaTables, createCatalog, type BigQueryCatalog } from './bigquery-catalog.ts';
import { startAnalyzerServer } from './analyzer-server.ts';
import { readAllSources } from './sql-sources.ts';

/** terraform's var.bigquery_dataset_id default, which `${dataset}` renders to. */
export const checkedDataset = 'nudge';

export type CheckedSource = {
  source: SqlSource;
  statements: number;
  parsedOnly: boolean;
  finding?: Finding;
  /** For a source that says BigQuery rejects it: the analyzer's message, which matched. */
  rejectedAsExpected?: string;
};

export type CheckReport = { checked: CheckedSource[]; findings: Finding[]; analyzerStartMs: number };

export function formatFinding(finding: Finding): string {
  return `${finding.path}:${finding.line}:${finding.column}: ${finding.what ? `${finding.what}: ` : ''}${finding.message}`;
}

/** Project ids the SQL qualifies the dataset with (`my-shop.nudge.events`), so they resolve too. */
function noteProjects(catalog: BigQueryCatalog, sources: readonly SqlSource[]): void {
  const pattern = new RegExp(`\`?([A-Za-z][\\w-]*[\\w])\`?\\.\`?${catalog.dataset}\`?\\.`, 'g');
  for (const { sql } of sources) for (const match of sql.matchAll(pattern)) catalog.projects.add(match[1]!);
}

/** Tables and views a piece of SQL creates (`CREATE OR REPLACE VIEW \`${dataset}.x\``), by name. */
function createdNames(sql: string): string[] {
  return [...sql.matchAll(/\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:MATERIALIZED\s+)?(?:VIEW|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(?:[^`\s]*\.)?(\w+)`?/gi)].map((m) => m[1]!);
}

/**
 * A source that is about SQL BigQuery rejects passes when the analyzer rejects it with the
 * expected message — and fails when the analyzer accepts it, since then the claim is wrong.
 */
function judge(source: SqlSource, outcome: AnalyzeOutcome): CheckedSource {
  const { finding, ...rest } = outcome;
  if (!source.rejects) return { source, ...outcome };
  if (finding && source.rejects.test(finding.message)) return { source, ...rest, rejectedAsExpected: finding.message };
  const at = finding ?? { path: source.path, ...(source.what ? { what: source.what } : {}), line: source.firstLine, column: 1 };
  const message = finding
    ? `BigQuery's analyzer rejects it with "${finding.message}", which does not match ${source.rejects}`
    : `said to be rejected by BigQuery (${source.rejects}), but BigQuery's analyzer accepts it`;
  return { source, ...rest, finding: { ...at, message } };
}

/** Checks each source in order; one catalog throughout, so later SQL sees earlier views. */
export async function checkSources(sources: readonly SqlSource[], { root, dataset = checkedDataset }: { root: string; dataset?: string }): Promise<CheckReport> {
  const catalog = createCatalog(dataset);
  addSchemaTables(catalog, join(root, 'sql', 'tables'));
  noteProjects(catalog, sources);
  const server = await startAnalyzerServer();
  try {
    const checked: CheckedSource[] = [];
    const invalidViews = new Set<string>();
    for (const source of sources) {
      try {
        const result = judge(source, await analyzeSql(catalog, source));
        if (result.finding) {
          for (const name of createdNames(source.sql)) invalidViews.add(name.toLowerCase());
          // A view that fails leaves every view reading it "not found": say why, once, at each.
          const missing = /Table not found: `?(?:[\w-]+\.)*(\w+)`?/.exec(result.finding.message)?.[1];
          if (missing && invalidViews.has(missing.toLowerCase())) result.finding.message += ` (${missing} is invalid itself, see above)`;
        }
        checked.push(result);
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
