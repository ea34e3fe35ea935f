#!/usr/bin/env node
// Checks every BigQuery statement in the repository (sql/ recursively, the docs' ```sql blocks,
// the translator's answer cases and tests) with Google's ZetaSQL analyzer in BigQuery's dialect.
// Prints one line per file or case checked; exits 1 with file:line:column: message on the first
// invalid statement of each. The analyzer runs on 127.0.0.1 only and is killed before exit.
//   node scripts/check-bigquery-sql.mjs [--quiet] [--root <repository>]
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

register();
const rootAt = process.argv.indexOf('--root');
const root = rootAt > 0 && process.argv[rootAt + 1] ? process.argv[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const { checkRepository, formatFinding } = await import('./bigquery-analyzer/check-bigquery-sql.ts');

const started = performance.now();
let report;
try {
  report = await checkRepository(root);
} catch (error) {
  console.error(`check-bigquery-sql: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
for (const { source, statements, parsedOnly, finding, rejectedAsExpected } of report.checked) {
  if (finding) console.log(`FAIL ${formatFinding(finding)}`);
  else if (!quiet) {
    const how = rejectedAsExpected
      ? `rejected by BigQuery, as it says: ${rejectedAsExpected}`
      : `${statements} statement${statements === 1 ? '' : 's'}${parsedOnly ? ', parsed only' : ''}`;
    console.log(`ok   ${source.path}${source.what ? ` ${source.what}` : ''} (${how})`);
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `${report.checked.length} checked, ${report.findings.length} invalid for BigQuery ` +
    `(analyzer started in ${Math.round(report.analyzerStartMs)} ms; ${seconds} s in all)`,
);
process.exit(report.findings.length > 0 ? 1 : 0);
