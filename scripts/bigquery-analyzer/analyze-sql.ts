/**
 * Runs one piece of BigQuery SQL (a file, a docs block, a test case) through ZetaSQL, statement by
 * statement, and says where the first invalid one fails. A statement that creates a table or view
 * adds it to the catalog, so the statements (and files) after it resolve against it, as in BigQuery.
 */
import type { FunctionArgumentTypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionArgumentTypeProto.js';
import type { FunctionProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionProto.js';
import type { FunctionSignatureProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionSignatureProto.js';
import type { AnalyzeResponse__Output } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/AnalyzeResponse.js';
import type { ParseRequest } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/ParseRequest.js';
import type { ParseResponse__Output } from '@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/ParseResponse.js';
import { ZetaSQLClient, type AnalyzeRequest } from '@fivetrandevelopers/zetasql';
import { isOp, isSignificant, tokenize } from '../../functions/bigquery-sql/bigquery-tokens.ts';
import { addTable, tableNameInDataset, toSimpleCatalog, type BigQueryCatalog, type CatalogColumn } from './bigquery-catalog.ts';
import { bigQueryLanguageOptions } from './bigquery-language-options.ts';
import { renderDataset } from './render-dataset.ts';
import { declaredParamTypes, typeOfParamValue } from './zetasql-types.ts';

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
  /**
   * Named parameters with their values (typed as the BigQuery client types them). Absent (sql/
   * files, run with values chosen later): the types the file's header declares (`-- @name TYPE`),
   * and any other `@name` has its type inferred by the analyzer.
   */
  params?: Record<string, unknown>;
  /** The SQL is about something BigQuery rejects: the analyzer must reject it, with this message. */
  rejects?: RegExp;
};

export type Finding = { path: string; what?: string; line: number; column: number; message: string };

export type AnalyzeOutcome = { statements: number; finding?: Finding; parsedOnly: boolean };

type GrpcError = { code?: number; details?: string; message?: string };

/** gRPC's INVALID_ARGUMENT: the analyzer's verdict on the SQL. Any other code is the analyzer failing. */
const invalidArgument = 3;

export class AnalyzerFailedError extends Error {
  override name = 'AnalyzerFailedError';
}

/** "message [at 3:14]" (ZetaSQL's one-line error mode) → its parts; not a verdict → thrown. */
function locate(error: GrpcError): Located {
  if (error.code !== invalidArgument) throw new AnalyzerFailedError(`ZetaSQL analyzer failed (gRPC code ${error.code}): ${error.details ?? error.message ?? String(error)}`);
  const text = error.details ?? error.message ?? String(error);
  const match = /^(.*) \[at (\d+):(\d+)\]$/s.exec(text);
  return match ? { message: match[1]!, line: Number(match[2]), column: Number(match[3]) } : { message: text, line: 1, column: 1 };
}

/** Nothing left but whitespace, comments and semicolons. */
function isBlank(sql: string): boolean {
  return tokenize(sql).every((token) => !isSignificant(token) || isOp(token, ';'));
}

/**
 * A function the statement creates (CREATE TEMP FUNCTION): its name and the signature the analyzer
 * resolved, so the statements after it can call it.
 */
function createdFunction(response: AnalyzeResponse__Output): FunctionProto | undefined {
  type CreateFunction = { parent?: { namePath?: string[] }; signature?: FunctionSignatureProto; isAggregate?: boolean };
  const node = findKey(response.resolvedStatement, 'resolvedCreateFunctionStmtNode') as CreateFunction | undefined;
  if (!node?.parent?.namePath || !node.signature) return undefined;
  // The response spells out every default (min_value 0, max_value 0, …); sent back, those would be
  // constraints ("must be between 0 and 0"). Only the shape of each argument is kept.
  const argument = (arg: FunctionArgumentTypeProto): FunctionArgumentTypeProto => ({
    kind: arg.kind,
    ...(arg.type ? { type: arg.type } : {}),
    options: { cardinality: arg.options?.cardinality ?? 'REQUIRED', ...(arg.options?.argumentName ? { argumentName: arg.options.argumentName } : {}) },
    numOccurrences: 1,
  });
  const signature: FunctionSignatureProto = {
    argument: (node.signature.argument ?? []).map(argument),
    ...(node.signature.returnType ? { returnType: argument(node.signature.returnType) } : {}),
    contextId: -1,
  };
  return { namePath: node.parent.namePath, group: 'UDF', mode: node.isAggregate ? 'AGGREGATE' : 'SCALAR', signature: [signature] };
}

function findKey(root: unknown, key: string): unknown {
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const node = queue.shift();
    if (!node || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    if (key in record && record[key]) return record[key];
    queue.push(...Object.values(record));
  }
  return undefined;
}

/**
 * BigQuery scripting (DECLARE, SET, BEGIN … END, IF, loops, EXECUTE IMMEDIATE, CALL): ZetaSQL's
 * analyzer takes statements, not scripts — BigQuery's script runner is not part of it — so a script
 * is checked by the parser only (its grammar, including every statement in it).
 */
const scriptKeywords = new Set(['DECLARE', 'SET', 'BEGIN', 'IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'EXECUTE', 'CALL', 'RAISE', 'RETURN', 'BREAK', 'LEAVE', 'CONTINUE', 'ITERATE', 'CASE']);

export function isScript(sql: string): boolean {
  let atStatementStart = true;
  for (const token of tokenize(sql)) {
    if (!isSignificant(token)) continue;
    if (isOp(token, ';')) {
      atStatementStart = true;
      continue;
    }
    if (atStatementStart && token.kind === 'ident' && scriptKeywords.has(token.value.toUpperCase())) return true;
    atStatementStart = false;
  }
  return false;
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

type Located = { line: number; column: number; message: string };

export async function analyzeSql(catalog: BigQueryCatalog, source: SqlSource): Promise<AnalyzeOutcome> {
  const rendered = renderDataset(source.sql, catalog.dataset);
  const fail = (at: Located): Finding => {
    const original = rendered.toOriginal(at.line, at.column);
    return { path: source.path, ...(source.what ? { what: source.what } : {}), line: source.firstLine + original.line - 1, column: original.column, message: at.message };
  };
  const parsedOnly = source.mode === 'parse' || isScript(rendered.sql);
  if (parsedOnly) {
    try {
      const parsed = await parseSql({ sqlStatement: rendered.sql, allowScript: true, options: bigQueryLanguageOptions() });
      return { statements: parsed.parsedScript ? Math.max(1, countStatements(rendered.sql)) : 1, parsedOnly };
    } catch (error) {
      return { statements: 0, parsedOnly, finding: fail(locate(error as GrpcError)) };
    }
  }
  // CREATE TEMP FUNCTION lasts as long as its script (BigQuery), here the source.
  const functionsBefore = catalog.functions.length;
  try {
    const { statements, error } = await analyzeStatements(catalog, rendered.sql, source.params);
    return { statements, parsedOnly, ...(error ? { finding: fail(error) } : {}) };
  } finally {
    catalog.functions.length = functionsBefore;
  }
}

/**
 * The catalog registered with the server, re-registered only when a statement changed it: sent
 * with every request instead, the server would rebuild BigQuery's function library each time.
 */
type CatalogId = NonNullable<AnalyzeRequest['registeredCatalogId']>;
const registrations = new WeakMap<BigQueryCatalog, { key: string; id: CatalogId }>();

async function registeredCatalogId(catalog: BigQueryCatalog): Promise<CatalogId> {
  const client = ZetaSQLClient.getInstance();
  const simpleCatalog = toSimpleCatalog(catalog);
  const key = JSON.stringify(simpleCatalog);
  const known = registrations.get(catalog);
  if (known?.key === key) return known.id;
  if (known) await client.unRegisterCatalog({ registeredId: known.id });
  const registered = await client.registerCatalog({ simpleCatalog });
  if (registered?.registeredId === undefined) throw new AnalyzerFailedError('ZetaSQL analyzer: the catalog was not registered');
  registrations.set(catalog, { key, id: registered.registeredId });
  return registered.registeredId;
}

/** Each statement in turn (ZetaSQL resumes after the previous one), until the first invalid one. */
async function analyzeStatements(catalog: BigQueryCatalog, input: string, params: Record<string, unknown> | undefined): Promise<{ statements: number; error?: Located }> {
  const client = ZetaSQLClient.getInstance();
  const queryParameters = params
    ? Object.entries(params).map(([name, value]) => ({ name: name.toLowerCase(), type: typeOfParamValue(value, name) }))
    : Object.entries(declaredParamTypes(input, 'its header comment')).map(([name, type]) => ({ name, type }));
  const bytes = Buffer.from(input);
  let bytePosition = 0;
  let statements = 0;
  while (!isBlank(bytes.subarray(bytePosition).toString())) {
    let response: AnalyzeResponse__Output | undefined;
    try {
      response = await client.analyze({
        parseResumeLocation: { input, bytePosition, allowResume: true },
        registeredCatalogId: await registeredCatalogId(catalog),
        options: {
          languageOptions: bigQueryLanguageOptions(),
          errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
          defaultTimezone: 'UTC',
          queryParameters,
          allowUndeclaredParameters: params === undefined,
        },
      });
    } catch (error) {
      return { statements, error: locate(error as GrpcError) };
    }
    statements += 1;
    if (!response) break;
    const fn = createdFunction(response);
    if (fn) catalog.functions.push(fn);
    const created = createdObject(response);
    const name = created && tableNameInDataset(catalog, created.namePath);
    if (created && name && !catalog.tables.has(name.toLowerCase())) addTable(catalog, name, created.columns);
    if (response.resumeBytePosition <= bytePosition) break;
    bytePosition = response.resumeBytePosition;
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
