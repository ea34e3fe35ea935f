/**
 * BigQuery's types as ZetaSQL type protos: from a table's JSON schema (sql/tables/*.schema.json,
 * the very file terraform hands BigQuery) and from a query parameter's value (typed as the GCP
 * adapter's client types it: functions/gcp/bigquery-values.ts → @google-cloud/bigquery).
 */
import type { TypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto.js';
import type { TypeKind } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeKind.js';

/** One field of a BigQuery JSON schema, RECORDs with their fields. */
export type SchemaField = { name: string; type: string; mode?: string; fields?: SchemaField[] };

/** Both spellings BigQuery accepts in a schema: the API's (INTEGER, FLOAT, RECORD) and SQL's. */
const scalarKinds: Record<string, TypeKind> = {
  STRING: 'TYPE_STRING',
  BYTES: 'TYPE_BYTES',
  INTEGER: 'TYPE_INT64',
  INT64: 'TYPE_INT64',
  FLOAT: 'TYPE_DOUBLE',
  FLOAT64: 'TYPE_DOUBLE',
  NUMERIC: 'TYPE_NUMERIC',
  DECIMAL: 'TYPE_NUMERIC',
  BIGNUMERIC: 'TYPE_BIGNUMERIC',
  BIGDECIMAL: 'TYPE_BIGNUMERIC',
  BOOLEAN: 'TYPE_BOOL',
  BOOL: 'TYPE_BOOL',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  DATE: 'TYPE_DATE',
  TIME: 'TYPE_TIME',
  DATETIME: 'TYPE_DATETIME',
  JSON: 'TYPE_JSON',
  GEOGRAPHY: 'TYPE_GEOGRAPHY',
  INTERVAL: 'TYPE_INTERVAL',
};

const scalar = (typeKind: TypeKind): TypeProto => ({ typeKind });
const arrayOf = (elementType: TypeProto): TypeProto => ({ typeKind: 'TYPE_ARRAY', arrayType: { elementType } });

export function typeOfSchemaField(field: SchemaField, where: string): TypeProto {
  const type = field.type.toUpperCase();
  let element: TypeProto;
  if (type === 'RECORD' || type === 'STRUCT') {
    if (!field.fields?.length) throw new Error(`${where}: field "${field.name}" is a ${type} without fields`);
    element = {
      typeKind: 'TYPE_STRUCT',
      structType: { field: field.fields.map((inner) => ({ fieldName: inner.name, fieldType: typeOfSchemaField(inner, where) })) },
    };
  } else {
    const kind = scalarKinds[type];
    if (!kind) throw new Error(`${where}: field "${field.name}" has type "${field.type}", which is not a BigQuery schema type`);
    element = scalar(kind);
  }
  const mode = (field.mode ?? 'NULLABLE').toUpperCase();
  if (mode === 'REPEATED') return arrayOf(element);
  if (mode !== 'NULLABLE' && mode !== 'REQUIRED') throw new Error(`${where}: field "${field.name}" has mode "${field.mode}"`);
  return element;
}

/**
 * A named parameter's type from its value, as the BigQuery client infers it: an integral number
 * is INT64, another FLOAT64; a Date TIMESTAMP; an object travels as JSON text (STRING); null is a
 * STRING NULL and an empty array ARRAY<STRING> (the adapter declares both so).
 */
export function typeOfParamValue(value: unknown, name: string): TypeProto {
  if (value === null || value === undefined) return scalar('TYPE_STRING');
  if (Array.isArray(value)) {
    if (value.length === 0) return arrayOf(scalar('TYPE_STRING'));
    const types = value.map((item) => {
      if (item === null || Array.isArray(item)) throw new Error(`@${name}: BigQuery arrays hold neither NULL nor arrays`);
      return typeOfParamValue(item, name);
    });
    const first = JSON.stringify(types[0]);
    if (types.some((type) => JSON.stringify(type) !== first)) throw new Error(`@${name}: array elements of different types`);
    return arrayOf(types[0]!);
  }
  if (value instanceof Date) return scalar('TYPE_TIMESTAMP');
  switch (typeof value) {
    case 'string':
      return scalar('TYPE_STRING');
    case 'boolean':
      return scalar('TYPE_BOOL');
    case 'bigint':
      return scalar('TYPE_INT64');
    case 'number':
      return scalar(Number.isInteger(value) ? 'TYPE_INT64' : 'TYPE_DOUBLE');
    case 'object':
      return scalar('TYPE_STRING');
    default:
      throw new Error(`@${name}: a ${typeof value} has no BigQuery type`);
  }
}

/**
 * A type as SQL writes it, for parameters a sql/ file declares in its header: a scalar
 * (`STRING`, `INT64`, `TIMESTAMP`, …) or `ARRAY<scalar>`. Undefined for anything else.
 */
export function typeOfSqlName(name: string): TypeProto | undefined {
  const upper = name.toUpperCase().replace(/\s+/g, '');
  const array = /^ARRAY<(\w+)>$/.exec(upper);
  if (array) {
    const element = scalarKinds[array[1]!];
    return element ? arrayOf(scalar(element)) : undefined;
  }
  const kind = scalarKinds[upper];
  return kind ? scalar(kind) : undefined;
}

/**
 * The parameters a sql/ file declares in its header comment, one per line as
 * `--   @name TYPE  what it is` (the form sql/reconcile/ uses), typed for the analyzer; a parameter
 * it does not declare is left for the analyzer to infer. A declared type that is not a BigQuery
 * type is an error, not a guess.
 */
export function declaredParamTypes(sql: string, where: string): Record<string, TypeProto> {
  const types: Record<string, TypeProto> = {};
  for (const match of sql.matchAll(/^\s*--\s*@(\w+)\s+([A-Za-z0-9_]+(?:\s*<\s*\w+\s*>)?)/gm)) {
    const type = typeOfSqlName(match[2]!);
    if (!type) throw new Error(`${where}: parameter @${match[1]} is declared as "${match[2]}", not a BigQuery type the check knows`);
    types[match[1]!.toLowerCase()] = type;
  }
  return types;
}
