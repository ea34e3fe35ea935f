/**
 * The BigQuery SQL in the translator's own test, functions/embedded/warehouse/bigquery-to-duckdb.test.ts,
 * read from its source with TypeScript's parser (importing a test file would run its tests):
 *
 * - `cases` ([what, BigQuery, DuckDB]): the exact translations. Their fragments read tables and
 *   columns that exist nowhere (`t`, `arr`, `x`, `p.d.t`): they pin down the rewrite, not a query.
 *   Analyzing them would need a catalog invented to fit each fragment — a check that proves
 *   nothing — so they are checked by ZetaSQL's parser with BigQuery's options: BigQuery's grammar,
 *   not its names or types.
 * - the fixture the test creates (`CREATE TABLE \`${dataset}.t\` …; INSERT …`) and `queries`
 *   ([what, BigQuery, rows, params]), which run on it: fully analyzed, `t` declared by the
 *   fixture's own DDL, parameters typed from their values.
 *
 * Strings must be constants (literals, `+` of literals); anything else is refused, so a test that
 * builds its SQL at run time is not silently skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { SqlSource } from './analyze-sql.ts';

export const translatorTestPath = 'functions/embedded/warehouse/bigquery-to-duckdb.test.ts';

function constantString(node: ts.Expression, file: ts.SourceFile): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return constantString(node.expression, file);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return constantString(node.left, file) + constantString(node.right, file);
  }
  const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
  throw new Error(`${translatorTestPath}:${line + 1}: BigQuery SQL that is not a constant string cannot be checked`);
}

function constantObject(node: ts.Expression | undefined, file: ts.SourceFile): Record<string, unknown> | undefined {
  if (!node || !ts.isObjectLiteralExpression(node)) return undefined;
  const out: Record<string, unknown> = {};
  for (const property of node.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    out[property.name.getText(file).replace(/^['"]|['"]$/g, '')] = constantString(property.initializer, file);
  }
  return out;
}

export function readTranslatorTestSql(root: string): SqlSource[] {
  const path = join(root, translatorTestPath);
  if (!existsSync(path)) return [];
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const fixtures: SqlSource[] = [];
  const parsed: SqlSource[] = [];
  const analyzed: SqlSource[] = [];

  const visit = (node: ts.Node): void => {
    // The fixture: translateBigQueryToDuckDb(`CREATE TABLE …`).
    if (ts.isCallExpression(node) && node.expression.getText(file) === 'translateBigQueryToDuckDb' && node.arguments[0]) {
      const argument = node.arguments[0];
      if (ts.isNoSubstitutionTemplateLiteral(argument) || ts.isStringLiteral(argument)) {
        if (/^\s*CREATE\s/i.test(argument.text)) fixtures.push({ path: translatorTestPath, what: 'fixture', sql: argument.text, firstLine: lineOf(argument), mode: 'analyze' });
      }
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isArrayLiteralExpression(node.initializer)) {
      const table = node.name.text;
      if (table === 'cases' || table === 'queries') {
        for (const row of node.initializer.elements) {
          if (!ts.isArrayLiteralExpression(row) || !row.elements[1]) continue;
          const what = `${table} "${constantString(row.elements[0] as ts.Expression, file)}"`;
          const sql = constantString(row.elements[1] as ts.Expression, file);
          const firstLine = lineOf(row.elements[1]);
          if (table === 'cases') parsed.push({ path: translatorTestPath, what, sql, firstLine, mode: 'parse' });
          else analyzed.push({ path: translatorTestPath, what, sql, firstLine, mode: 'analyze', params: constantObject(row.elements[3] as ts.Expression | undefined, file) ?? {} });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (parsed.length === 0 && analyzed.length === 0) {
    throw new Error(`${translatorTestPath}: no \`cases\` or \`queries\` table found — update scripts/bigquery-analyzer/translator-test-sql.ts`);
  }
  return [...parsed, ...fixtures, ...analyzed];
}
