/**
 * Functions BigQuery has that ZetaSQL's built-ins lack, declared to the analyzer with BigQuery's
 * documented signatures so valid BigQuery using them is not rejected. Kept to what nudge's SQL and
 * its analyst cases use; ZetaSQL answers "Function not found" for any other, which is the cue to
 * add one here from BigQuery's function reference.
 */
import type { FunctionArgumentTypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionArgumentTypeProto.js';
import type { FunctionProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionProto.js';

// A concrete argument states how often it occurs in a call (1), or the analyzer aborts on it.
const string: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_FIXED', type: { typeKind: 'TYPE_STRING' }, options: { cardinality: 'REQUIRED' }, numOccurrences: 1 };
const anyValue: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_ANY_1', options: { cardinality: 'REQUIRED' } };
const optionalNamedString = (argumentName: string): FunctionArgumentTypeProto => ({
  kind: 'ARG_TYPE_FIXED',
  type: { typeKind: 'TYPE_STRING' },
  options: { cardinality: 'OPTIONAL', argumentName, namedArgumentKind: 'NAMED_ONLY' },
  numOccurrences: 1,
});
const any1: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_ANY_1', options: { cardinality: 'REQUIRED' } };
const orderable2: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_ANY_2', options: { cardinality: 'REQUIRED', mustSupportOrdering: true } };
const json: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_FIXED', type: { typeKind: 'TYPE_JSON' }, options: { cardinality: 'REQUIRED' }, numOccurrences: 1 };
const optionalInt64: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_FIXED', type: { typeKind: 'TYPE_INT64' }, options: { cardinality: 'OPTIONAL' }, numOccurrences: 1 };
const arrayOfString: FunctionArgumentTypeProto = {
  kind: 'ARG_TYPE_FIXED',
  type: { typeKind: 'TYPE_ARRAY', arrayType: { elementType: { typeKind: 'TYPE_STRING' } } },
  options: { cardinality: 'REQUIRED' },
  numOccurrences: 1,
};
const bool: FunctionArgumentTypeProto = { kind: 'ARG_TYPE_FIXED', type: { typeKind: 'TYPE_BOOL' }, options: { cardinality: 'REQUIRED' }, numOccurrences: 1 };

export const bigQueryOnlyFunctions: FunctionProto[] = [
  // CONTAINS_SUBSTR(expression, search_value_literal[, json_scope => …]) → BOOL; the expression
  // may be any type (STRUCT, ARRAY, JSON are searched field by field).
  {
    namePath: ['CONTAINS_SUBSTR'],
    group: 'BigQuery',
    mode: 'SCALAR',
    signature: [{ argument: [anyValue, string, optionalNamedString('json_scope')], returnType: bool, contextId: -1 }],
  },
  // SEARCH(search_data, search_query[, json_scope => …][, analyzer => …]) → BOOL.
  {
    namePath: ['SEARCH'],
    group: 'BigQuery',
    mode: 'SCALAR',
    signature: [{ argument: [anyValue, string, optionalNamedString('json_scope'), optionalNamedString('analyzer')], returnType: bool, contextId: -1 }],
  },
  // MAX_BY(x, y) / MIN_BY(x, y): "synonym for ANY_VALUE(x HAVING MAX y)" (and MIN) — aggregates.
  ...['MAX_BY', 'MIN_BY'].map((name): FunctionProto => ({
    namePath: [name],
    group: 'BigQuery',
    mode: 'AGGREGATE',
    signature: [{ argument: [any1, orderable2], returnType: any1, contextId: -1 }],
    options: { supportsOverClause: true, windowOrderingSupport: 'ORDER_UNSUPPORTED', supportsWindowFraming: true },
  })),
  // JSON_KEYS(json_expr[, max_depth][, mode => …]) → ARRAY<STRING>.
  {
    namePath: ['JSON_KEYS'],
    group: 'BigQuery',
    mode: 'SCALAR',
    signature: [{ argument: [json, optionalInt64, optionalNamedString('mode')], returnType: arrayOfString, contextId: -1 }],
  },
];
