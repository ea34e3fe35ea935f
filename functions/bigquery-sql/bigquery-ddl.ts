/**
 * Reads a BigQuery `CREATE TABLE` from sql/tables/ into a plain description, so the JSON schema
 * terraform hands to BigQuery (sql/tables/*.schema.json) can be checked against the DDL, and
 * terraform's partitioning/clustering against the DDL's. Only the shapes nudge's DDL uses:
 * scalar and ARRAY<scalar> columns, NOT NULL, OPTIONS(description), a primary key.
 */
import {
  BigQueryTranslationError,
  findClosing,
  isKeyword,
  isOp,
  isSignificant,
  splitTopLevel,
  tokenize,
  type Token,
} from './bigquery-tokens.ts';

export type BigQueryColumn = {
  name: string;
  /** Standard SQL spelling as written in the DDL, upper-cased: STRING, INT64, JSON, TIMESTAMP, ... */
  type: string;
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
  description?: string;
};

export type BigQueryTable = {
  /** Table name without its dataset (`${dataset}.events` → `events`). */
  name: string;
  columns: BigQueryColumn[];
  primaryKey: string[];
  /** The PARTITION BY expression as written, whitespace-normalised, e.g. `DATE(occurred_at)`. */
  partitionBy?: string;
  clusterBy: string[];
  description?: string;
};

/** One field of a BigQuery JSON schema (`bq mk --schema`, terraform `schema =`). */
export type BigQuerySchemaField = { name: string; type: string; mode: BigQueryColumn['mode']; description?: string };

/** The API's names for types (what BigQuery returns), so terraform sees no spurious diff. */
const apiTypeNames: Record<string, string> = {
  INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN', STRUCT: 'RECORD',
};

const text = (tokens: readonly Token[]) =>
  tokens.filter(isSignificant).map((t) => t.text).join(' ').replace(/\s*([(),.])\s*/g, '$1').replace(/,/g, ', ');

function optionsDescription(tokens: readonly Token[], at: number): { description?: string; end: number } {
  const open = at + 1;
  const close = findClosing(tokens, open);
  const entries = splitTopLevel(tokens.slice(open + 1, close)).map((entry) => entry.filter(isSignificant));
  const description = entries.find((entry) => isKeyword(entry[0], 'DESCRIPTION'))?.[2];
  return { description: description?.kind === 'string' ? description.value : undefined, end: close };
}

function parseColumn(item: readonly Token[]): BigQueryColumn {
  const sig = item.filter(isSignificant);
  const name = sig[0]!.value;
  let type = sig[1]?.value.toUpperCase() ?? '';
  let mode: BigQueryColumn['mode'] = 'NULLABLE';
  let i = 2;
  if (type === 'ARRAY' && isOp(sig[2], '<')) {
    type = sig[3]?.value.toUpperCase() ?? '';
    mode = 'REPEATED';
    if (!isOp(sig[4], '>')) throw new BigQueryTranslationError(`Column ${name}: only ARRAY<scalar> is supported here`);
    i = 5;
  }
  if (!/^[A-Z0-9]+$/.test(type) || type === 'STRUCT') throw new BigQueryTranslationError(`Column ${name}: unsupported type ${type}`);
  let description: string | undefined;
  for (; i < sig.length; i++) {
    if (isKeyword(sig[i], 'NOT') && isKeyword(sig[i + 1], 'NULL')) mode = 'REQUIRED';
    if (isKeyword(sig[i], 'OPTIONS') && isOp(sig[i + 1], '(')) {
      const options = optionsDescription(sig, i);
      description = options.description;
      i = options.end;
    }
  }
  return { name, type, mode, ...(description === undefined ? {} : { description }) };
}

export function parseCreateTable(sql: string): BigQueryTable {
  const statements = splitTopLevel(tokenize(sql), ';').filter((s) => s.some(isSignificant));
  const sig = (statements[0] ?? []).filter(isSignificant);
  const tableAt = sig.findIndex((t) => isKeyword(t, 'TABLE'));
  if (statements.length !== 1 || !isKeyword(sig[0], 'CREATE') || tableAt === -1) {
    throw new BigQueryTranslationError('Expected exactly one CREATE TABLE statement');
  }
  let i = tableAt + 1;
  if (isKeyword(sig[i], 'IF')) i += 3;
  const nameParts = [] as string[];
  for (; sig[i] && !isOp(sig[i], '('); i++) if (!isOp(sig[i], '.')) nameParts.push(...sig[i]!.value.split('.'));
  const table: BigQueryTable = { name: nameParts.at(-1) ?? '', columns: [], primaryKey: [], clusterBy: [] };
  const close = findClosing(sig, i);
  for (const item of splitTopLevel(sig.slice(i + 1, close))) {
    if (isKeyword(item[0], 'PRIMARY')) {
      table.primaryKey = item.filter((t) => t.kind === 'ident' || t.kind === 'quoted').slice(2).map((t) => t.value)
        .filter((v) => !['NOT', 'ENFORCED'].includes(v.toUpperCase()));
    } else {
      table.columns.push(parseColumn(item));
    }
  }
  const clauses = sig.slice(close + 1);
  for (let c = 0; c < clauses.length; c++) {
    const clauseEnd = (from: number) => {
      let end = from;
      while (end < clauses.length && !isKeyword(clauses[end], 'PARTITION', 'CLUSTER', 'OPTIONS', 'AS')) {
        end = isOp(clauses[end], '(') ? findClosing(clauses, end) + 1 : end + 1;
      }
      return end;
    };
    if (isKeyword(clauses[c], 'PARTITION', 'CLUSTER') && isKeyword(clauses[c + 1], 'BY')) {
      const end = clauseEnd(c + 2);
      const body = clauses.slice(c + 2, end);
      if (isKeyword(clauses[c], 'PARTITION')) table.partitionBy = text(body);
      else table.clusterBy = splitTopLevel(body).map((part) => text(part));
      c = end - 1;
    } else if (isKeyword(clauses[c], 'OPTIONS')) {
      const options = optionsDescription(clauses, c);
      if (options.description !== undefined) table.description = options.description;
      c = options.end;
    }
  }
  return table;
}

/** The table's columns as a BigQuery JSON schema, in the API's own type names. */
export function toBigQuerySchema(table: BigQueryTable): BigQuerySchemaField[] {
  return table.columns.map((column) => ({
    name: column.name,
    type: apiTypeNames[column.type] ?? column.type,
    mode: column.mode,
    ...(column.description === undefined ? {} : { description: column.description }),
  }));
}
