/**
 * Every piece of BigQuery SQL the repository holds, in the order BigQuery would meet it: the
 * tables' DDL, the views (each after the views it reads), the other sql/ files (scheduled queries,
 * reconciliation, … — found by walking sql/, so a new folder is checked without a list to keep),
 * the ```sql blocks of the docs, then the SQL the translator's tests hold as BigQuery's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { orderViewsByDependencies } from '../../functions/bigquery-sql/sql-view-order.ts';
import type { SqlSource } from './analyze-sql.ts';
import { readTranslatorTestSql } from './translator-test-sql.ts';

const toPosix = (path: string) => path.split(sep).join('/');

function walkSqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? walkSqlFiles(join(dir, entry.name)) : entry.name.endsWith('.sql') ? [join(dir, entry.name)] : []))
    .sort();
}

export function readSqlDirSources(root: string): SqlSource[] {
  const fileSource = (path: string): SqlSource => ({ path: toPosix(relative(root, path)), sql: readFileSync(path, 'utf8'), firstLine: 1, mode: 'analyze' });
  const all = walkSqlFiles(join(root, 'sql')).map(fileSource);
  const tables = all.filter((source) => source.path.startsWith('sql/tables/'));
  const views = orderViewsByDependencies(
    all.filter((source) => source.path.startsWith('sql/views/')).map((source) => ({ ...source, name: basename(source.path, '.sql') })),
  ).map(({ name: _name, ...source }) => source);
  const rest = all.filter((source) => !tables.includes(source) && !source.path.startsWith('sql/views/'));
  return [...tables, ...views, ...rest];
}

/** ```sql fenced blocks of the docs; inline `code` is left alone (fragments, not statements). */
export function readDocsSources(root: string): SqlSource[] {
  const docsDir = join(root, 'docs');
  const files = [
    join(root, 'README.md'),
    join(root, 'sql', 'README.md'),
    ...(existsSync(docsDir) ? readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort().map((name) => join(docsDir, name)) : []),
  ].filter(existsSync);
  return files.flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const blocks: SqlSource[] = [];
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)(`{3,}|~{3,})\s*sql\s*$/i.exec(lines[i]!);
      if (!open) continue;
      const fence = open[2]!;
      const indent = open[1]!.length;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j]!.trim().startsWith(fence); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.search(/\S|$/))));
      blocks.push({ path: toPosix(relative(root, file)), what: 'sql block', sql: body.join('\n'), firstLine: i + 2, mode: 'analyze' });
      i = j;
    }
    return blocks;
  });
}

type BigQueryCaseLike = { name: string; sql: string; params?: Record<string, unknown>; bigQueryRejects?: RegExp };

/**
 * Every `bigQueryCases` export of the answers folder's `*.cases.ts`. A case the embedded warehouse
 * refuses is still BigQuery SQL with a documented answer, so it is analyzed like the others; a case
 * about SQL BigQuery itself rejects says so (`bigQueryRejects`), and the analyzer must agree.
 */
export async function readAnswerCaseSources(root: string): Promise<SqlSource[]> {
  const dir = join(root, 'functions', 'embedded', 'warehouse', 'answers');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((name) => name.endsWith('.cases.ts')).sort();
  const sources: SqlSource[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const { bigQueryCases } = (await import(path)) as { bigQueryCases?: BigQueryCaseLike[] };
    if (!Array.isArray(bigQueryCases)) throw new Error(`${toPosix(relative(root, path))}: exports no bigQueryCases array`);
    const text = readFileSync(path, 'utf8');
    for (const bigQueryCase of bigQueryCases) {
      // The line of the case's `sql:` (after its name): where line 1 of its SQL is written.
      const named = text.indexOf(JSON.stringify(bigQueryCase.name).slice(1, -1));
      const at = named < 0 ? -1 : text.indexOf('sql:', named);
      const line = at < 0 ? 1 : text.slice(0, at).split('\n').length;
      sources.push({
        path: toPosix(relative(root, path)),
        what: `case "${bigQueryCase.name}"`,
        sql: bigQueryCase.sql,
        firstLine: line,
        mode: 'analyze',
        params: bigQueryCase.params ?? {},
        ...(bigQueryCase.bigQueryRejects ? { rejects: bigQueryCase.bigQueryRejects } : {}),
      });
    }
  }
  return sources;
}

export async function readAllSources(root: string): Promise<SqlSource[]> {
  return [...readSqlDirSources(root), ...readDocsSources(root), ...(await readAnswerCaseSources(root)), ...readTranslatorTestSql(root)];
}
