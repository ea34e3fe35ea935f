/**
 * Types a query parameter may be bound with, as BigQuery names them. Without a type a parameter is
 * bound by its JavaScript value (pipelines/warehouse/warehouse.ts); with one, both adapters bind
 * exactly that type, so `@since` typed DATE is a DATE on DuckDB and on BigQuery alike.
 *
 * Values travel in one canonical, JSON-safe form per type (the CLI's parser produces it and the
 * host's admin query checks it): STRING, INT64 (decimal text: exact beyond 2^53), NUMERIC (decimal
 * text), DATE (`YYYY-MM-DD`), DATETIME (`YYYY-MM-DD HH:MM:SS.ffffff`), TIMESTAMP
 * (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) and JSON (its text) as strings; FLOAT64 as a finite number; BOOL
 * as a boolean; ARRAY<T> as an array of T's form.
 */
export const scalarQueryParamTypes = ['STRING', 'INT64', 'FLOAT64', 'NUMERIC', 'BOOL', 'DATE', 'DATETIME', 'TIMESTAMP', 'JSON'] as const;

export type ScalarQueryParamType = (typeof scalarQueryParamTypes)[number];

export type QueryParamType = ScalarQueryParamType | `ARRAY<${ScalarQueryParamType}>`;

/** Parameter name → its declared type; a parameter not named here is bound by its value. */
export type QueryParamTypes = Readonly<Record<string, QueryParamType>>;

/** The element type of `ARRAY<T>`, or null for a scalar type. */
export function elementTypeOf(type: QueryParamType): ScalarQueryParamType | null {
  const match = /^ARRAY<(\w+)>$/.exec(type);
  return match ? (match[1] as ScalarQueryParamType) : null;
}

export function isQueryParamType(text: string): text is QueryParamType {
  const element = /^ARRAY<(\w+)>$/.exec(text)?.[1] ?? text;
  return (scalarQueryParamTypes as readonly string[]).includes(element);
}
