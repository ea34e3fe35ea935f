/**
 * Runs one piece of BigQuery SQL (a file, a docs block, a test case) through ZetaSQL, statement by
 * statement, and says where the first invalid one fails. A statement that creates a table or view
 * adds it to the catalog, so the statements (and files) after it resolve against it, as in BigQuery.
 */
import type { AnalyzeResponse__Output } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/AnalyzeResponse.js';
import type { ParseRequest } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/ParseRequest.js';
import type { ParseResponse__Output } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/ParseResponse.js';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import { isOp, isSignificant, tokenize } from '../../functions/bigquery-sql/bigquery-tokens.ts';
import { addTable, tableNameInDataset, toSimpleCatalog, type BigQueryCatalog, type CatalogColumn } from './bigquery-catalog.ts';
import { bigQueryLanguageOptions } from './bigquery-language-options.ts';
import { renderDataset } from './render-dataset.ts';
import { typeOfParamValue } from './zetasql-types.ts';

export type SqlSource = {
  /** The file, relative to the repository root. */
  path: string;
  /** What in the file, when not the whole file: `case "…"`, `sql block`. */
  what?: string;
  /** The SQL as written; `${dataset}` is rendered as terraform's templatefile() would. */
  sql: string;
  /** Line of `path` on which `sql` starts. */
  firstLine: number;
  /**
   * `analyze`: names, types and functions resolved against the catalog. `parse`: grammar only, for
   * fragments that read made-up tables (nothing to resolve them against honestly).
   */
  mode: 'analyze' | 'parse';
  /** Named parameters with their values (typed as the BigQuery client types them). Absent: any
   * `@name` is accepted and its type inferred (sql/ files are run with parameters chosen later). */
  params?: Record<string, unknown>;
};

export type Finding = { path: string; what?: string; line: number; column: number; message: string };

export type AnalyzeOutcome = { statements: number; finding?: Finding };

type GrpcError = { code?: number; details?: string; message?: string };

/** gRPC's INVALID_ARGUMENT: the analyzer's verdict on the SQL. Any other code is the analyzer failing. */
const invalidArgument = 3;

export class AnalyzerFailedError extends Error {
  override name = 'AnalyzerFailedError';
}

/** "message [at 3:14]" (ZetaSQL's one-line error mode) → its parts; not a verdict → thrown. */
function locate(error: GrpcError): { line: number; column: number; message: string } {
  if (error.code !== invalidArgument) throw new AnalyzerFailedError(`ZetaSQL analyzer failed (gRPC code ${error.code}): ${error.details ?? error.message ?? String(error)}`);
  const text = error.details ?? error.message ?? String(error);
  const match = /^(.*) \[at (\d+):(\d+)\]$/s.exec(text);
  return match ? { message: match[1]!, line: Number(match[2]), column: Number(match[3]) } : { message: text, line: 1, column: 1 };
}

/** Nothing left but whitespace, comments and semicolons. */
function isBlank(sql: string): boolean {
  return tokenize(sql).every((token) => !isSignificant(token) || isOp(token, ';'));
}

/** The created table or view, if the statement creates one: its name and columns. */
function createdObject(response: AnalyzeResponse__Output): { namePath: string[]; columns: CatalogColumn[] } | undefined {
  const queue: unknown[] = [response.resolvedStatement];
  while (queue.length > 0) {
    const node = queue.shift();
    if (!node || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    const parent = record.parent as { namePath?: string[] } | null | undefined;
    if (Array.isArray(record.columnDefinitionList) && parent?.namePath) {
      const columns = (record.columnDefinitionList as { name: string; type: CatalogColumn['type'] }[]).map(({ name, type }) => ({ name, type }));
      return { namePath: parent.namePath, columns };
    }
    // The create statement sits near the top; its query's scans need not be searched.
    for (const [key, value] of Object.entries(record)) if (key !== 'query') queue.push(value);
  }
  return undefined;
}

export function parseSql(request: ParseRequest): Promise<ParseResponse__Output> {
  const client = ZetaSQLClient.getInstance();
  return client.promisify(request, ZetaSQLClient.API.parse.bind(ZetaSQLClient.API)) as Promise<ParseResponse__Output>;
}

export async function analyzeSql(catalog: BigQueryCatalog, source: SqlSource): Promise<AnalyzeOutcome> {
  const client = ZetaSQLClient.getInstance();
  const rendered = renderDataset(source.sql, catalog.dataset);
  const fail = (at: { line: number; column: number; message: string }): Finding => {
    const original = rendered.toOriginal(at.line, at.column);
    return { path: source.path, ...(source.what ? { what: source.what } : {}), line: source.firstLine + original.line - 1, column: original.column, message: at.message };
  };
  const languageOptions = bigQueryLanguageOptions();
  let statements = 0;

  if (source.mode === 'parse') {
    try {
      const parsed = await parseSql({ sqlStatement: rendered.sql, allowScript: true, options: languageOptions });
      statements = parsed.parsedScript ? Math.max(1, countStatements(rendered.sql)) : 1;
    } catch (error) {
      return { statements, finding: fail(locate(error as GrpcError)) };
    }
  } else {
    const queryParameters = source.params
      ? Object.entries(source.params).map(([name, value]) => ({ name: name.toLowerCase(), type: typeOfParamValue(value, name) }))
      : [];
    const input = rendered.sql;
    const bytes = Buffer.from(input);
    let bytePosition = 0;
    while (!isBlank(bytes.subarray(bytePosition).toString())) {
      let response: AnalyzeResponse__Output | undefined;
      try {
        response = await client.analyze({
          parseResumeLocation: { input, bytePosition, allowResume: true },
          simpleCatalog: toSimpleCatalog(catalog),
          options: {
            languageOptions,
            errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
            defaultTimezone: 'UTC',
            queryParameters,
            allowUndeclaredParameters: source.params === undefined,
          },
        });
      } catch (error) {
        return { statements, finding: fail(locate(error as GrpcError)) };
      }
      statements += 1;
      const created = response && createdObject(response);
      const name = created && tableNameInDataset(catalog, created.namePath);
      if (created && name && !catalog.tables.has(name.toLowerCase())) addTable(catalog, name, created.columns);
      const next = response?.resumeBytePosition ?? bytes.length;
      if (next <= bytePosition) break;
      bytePosition = next;
    }
  }

  return { statements };
}

/** Statements in a script, for the report: significant `;`-separated pieces. */
function countStatements(sql: string): number {
  let count = 0;
  let open = false;
  for (const token of tokenize(sql)) {
    if (!isSignificant(token)) continue;
    if (isOp(token, ';')) {
      if (open) count += 1;
      open = false;
    } else open = true;
  }
  return count + (open ? 1 : 0);
}
