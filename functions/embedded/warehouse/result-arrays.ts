/**
 * BigQuery returns no array with a NULL element: such an array may be built and used inside a
 * query (ARRAY_LENGTH of it, UNNEST of it), but a result that holds one fails with "Array cannot
 * have a null element; error in writing field <name>". DuckDB returns it, so the check is made on
 * the result, by the column types DuckDB reports (JSON arrays, whose nulls are JSON values, and
 * maps are left alone).
 */
import { DuckDBTypeId, type DuckDBResultReader, type DuckDBType } from '@duckdb/node-api';

function holdsNullElement(value: unknown, type: DuckDBType): boolean {
  if (value === null || value === undefined || type.alias === 'JSON') return false;
  if (type.typeId === DuckDBTypeId.LIST || type.typeId === DuckDBTypeId.ARRAY) {
    return (value as unknown[]).some((element) => element === null || holdsNullElement(element, type.valueType));
  }
  if (type.typeId === DuckDBTypeId.STRUCT) {
    const record = value as Record<string, unknown>;
    return type.entryNames.some((name, index) => holdsNullElement(record[name], type.entryTypes[index]!));
  }
  return false;
}

/**
 * Throws BigQuery's error when a result column holds an array with a NULL element; `names` are
 * the column names as the analyst sees them (select-list-names.ts), in the reader's order.
 */
export function refuseNullArrayElements(reader: DuckDBResultReader, rows: readonly Record<string, unknown>[], names: readonly string[]): void {
  const columns = reader.columnNames().map((column, index) => ({ column, type: reader.columnType(index), name: names[index] ?? column }));
  const arrays = columns.filter(({ type }) => [DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.STRUCT].includes(type.typeId));
  if (arrays.length === 0) return;
  for (const row of rows) {
    for (const { column, type, name } of arrays) {
      if (holdsNullElement(row[column], type)) throw new Error(`Array cannot have a null element; error in writing field ${name}`);
    }
  }
}
