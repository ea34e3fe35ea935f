/**
 * Arrays in a result as BigQuery returns them. BigQuery has no NULL array in a result: "BigQuery
 * translates a NULL ARRAY into an empty ARRAY in the query result" (docs/arrays). And it returns
 * no array with a NULL element: such an array may be built and used inside a query (ARRAY_LENGTH
 * of it, UNNEST of it), but a result that holds one fails with "Array cannot have a null element;
 * error in writing field <name>". DuckDB returns both as they are, so the result is brought to
 * BigQuery's form here, by the column types DuckDB reports (JSON values, whose arrays and nulls
 * are JSON, and maps are left alone).
 */
import { DuckDBTypeId, type DuckDBResultReader, type DuckDBType } from '@duckdb/node-api';

class NullElement extends Error {}

function toBigQueryArrays(value: unknown, type: DuckDBType): unknown {
  if (type.alias === 'JSON') return value;
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) {
    if (value === null || value === undefined) return [];
    return (value as unknown[]).map((element) => {
      if (element === null) throw new NullElement();
      return toBigQueryArrays(element, type.valueType);
    });
  }
  if (type.typeId === DuckDBTypeId.STRUCT && value !== null && value !== undefined) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(record).map(([name, field]) => [name, toBigQueryArrays(field, type.entryTypes[type.entryIndexes[name]!]!)]));
  }
  return value;
}

/**
 * Rewrites the result's arrays in place: NULL arrays become empty ones; an array with a NULL
 * element throws BigQuery's error. `names` are the column names as the analyst sees them
 * (select-list-names.ts), in the reader's order.
 */
export function toBigQueryResultArrays(reader: DuckDBResultReader, rows: Record<string, unknown>[], names: readonly string[]): void {
  const columns = reader.columnNames().map((column, index) => ({ column, type: reader.columnType(index), name: names[index] ?? column }));
  const withArrays = columns.filter(({ type }) => type.alias !== 'JSON' && [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.STRUCT].includes(type.typeId));
  for (const row of rows) {
    for (const { column, type, name } of withArrays) {
      try {
        row[column] = toBigQueryArrays(row[column], type);
      } catch (error) {
        if (error instanceof NullElement) throw new Error(`Array cannot have a null element; error in writing field ${name}`);
        throw error;
      }
    }
  }
}
