import { elementTypeOf, isQueryParamType, type QueryParamType, type ScalarQueryParamType } from '../../pipelines/warehouse/query-param-types.ts';

/**
 * `--param` as BigQuery's `bq query --parameter` spells it: `name=value` is a STRING,
 * `name:TYPE=value` binds TYPE (INT64, FLOAT64, NUMERIC, BOOL, DATE, DATETIME, TIMESTAMP, STRING,
 * JSON, or `ARRAY<T>` with the value as a JSON array). A value that is not a valid TYPE is refused
 * here, naming the parameter and the type — never passed on for the warehouse to coerce, because
 * DuckDB and BigQuery coerce differently (a wrong answer is worse than a refusal).
 */
export class QueryParamError extends Error {
  override name = 'QueryParamError';
}

export type ParsedQueryParams = { params: Record<string, unknown>; types: Record<string, QueryParamType> };

/** Every `--param` of a command line; a name given twice is refused. */
export function parseQueryParams(specs: readonly string[]): ParsedQueryParams {
  const params: Record<string, unknown> = {};
  const types: Record<string, QueryParamType> = {};
  for (const spec of specs) {
    const { name, type, value } = parseQueryParam(spec);
    if (name in types) throw new QueryParamError(`--param ${name} is given twice`);
    params[name] = value;
    types[name] = type;
  }
  return { params, types };
}

/** One `name[:TYPE]=value`, its value in the canonical form of query-param-types.ts. */
export function parseQueryParam(spec: string): { name: string; type: QueryParamType; value: unknown } {
  const equals = spec.indexOf('=');
  if (equals < 0) throw new QueryParamError(`--param "${spec}" must be name=value or name:TYPE=value`);
  const head = spec.slice(0, equals);
  const text = spec.slice(equals + 1);
  const colon = head.indexOf(':');
  const name = (colon < 0 ? head : head.slice(0, colon)).replace(/^@/, '');
  const typeText = colon < 0 ? 'STRING' : head.slice(colon + 1).replace(/\s+/g, '').toUpperCase();
  // BigQuery's rule for parameter names: letters, digits, underscores, not starting with a digit.
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new QueryParamError(`--param "${spec}": "${name}" is not a parameter name (letters, digits, _; as @name in the SQL)`);
  if (!isQueryParamType(typeText)) {
    throw new QueryParamError(`--param ${name}: unknown type ${typeText} (use STRING, INT64, FLOAT64, NUMERIC, BOOL, DATE, DATETIME, TIMESTAMP, JSON or ARRAY<T>)`);
  }
  return { name, type: typeText, value: parseTypedValue(name, typeText, text) };
}

/**
 * Checks a value already in canonical form (the host's admin query receives them as JSON) and
 * returns it, or throws naming the parameter. The CLI's forms are a subset of what this accepts.
 */
export function checkTypedValue(name: string, type: QueryParamType, value: unknown): unknown {
  const element = elementTypeOf(type);
  if (element === null) return fromJsonValue(name, type as ScalarQueryParamType, value);
  if (!Array.isArray(value)) throw invalid(name, type, JSON.stringify(value), 'expected a JSON array');
  return value.map((item) => fromJsonValue(name, element, item, type));
}

function parseTypedValue(name: string, type: QueryParamType, text: string): unknown {
  const element = elementTypeOf(type);
  if (element === null) return parseScalar(name, type as ScalarQueryParamType, text);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw invalid(name, type, text, 'expected a JSON array, e.g. ["a","b"] or [1,2]');
  }
  if (!Array.isArray(items)) throw invalid(name, type, text, 'expected a JSON array, e.g. ["a","b"] or [1,2]');
  return items.map((item) => fromJsonValue(name, element, item, type));
}

/** An array element (or a canonical value from JSON): strings parse as on the command line. */
function fromJsonValue(name: string, type: ScalarQueryParamType, value: unknown, arrayType?: QueryParamType): unknown {
  const shown = arrayType ?? type;
  // BigQuery refuses NULL inside an array parameter; a NULL scalar has no spelling on the command line.
  if (value === null || value === undefined) throw invalid(name, shown, 'null', 'NULL is not a value here');
  if (type === 'JSON') return typeof value === 'string' && arrayType === undefined ? parseScalar(name, type, value) : JSON.stringify(value);
  if (typeof value === 'string') return parseScalar(name, type, value, shown);
  if (typeof value === 'number' && ['INT64', 'FLOAT64', 'NUMERIC'].includes(type)) return parseScalar(name, type, JSON.stringify(value), shown);
  if (typeof value === 'boolean' && type === 'BOOL') return value;
  throw invalid(name, shown, JSON.stringify(value), `expected ${type === 'BOOL' ? 'true or false' : `a ${type}`}`);
}

function parseScalar(name: string, type: ScalarQueryParamType, text: string, shown: QueryParamType = type): unknown {
  const fail = (why: string) => invalid(name, shown, text, why);
  switch (type) {
    case 'STRING':
      return text;
    case 'INT64': {
      if (!/^[+-]?\d+$/.test(text.trim())) throw fail('expected a whole number');
      const n = BigInt(text.trim());
      if (n < -(2n ** 63n) || n >= 2n ** 63n) throw fail('out of the INT64 range');
      return n.toString();
    }
    case 'FLOAT64': {
      const t = text.trim();
      const n = Number(t);
      if (t === '' || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) || !Number.isFinite(n)) throw fail('expected a finite number');
      return n;
    }
    case 'NUMERIC': {
      const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
      const whole = (match?.[2] ?? '').replace(/^0+(?=\d)/, '');
      const fraction = (match?.[3] ?? '').replace(/0+$/, '');
      if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw fail('expected a decimal number');
      // BigQuery's NUMERIC: 29 digits before the point, 9 after (the embedded DECIMAL(38, 9)).
      if (whole.length > 29) throw fail('more than 29 digits before the point');
      if (fraction.length > 9) throw fail('more than 9 digits after the point');
      const digits = `${whole || '0'}${fraction ? `.${fraction}` : ''}`;
      return match[1] === '-' && /[1-9]/.test(digits) ? `-${digits}` : digits;
    }
    case 'BOOL': {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw fail('expected true or false');
      return t === 'true';
    }
    case 'DATE': {
      const parts = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
      if (!parts || !isCalendarDate(+parts[1]!, +parts[2]!, +parts[3]!)) throw fail('expected a date YYYY-MM-DD');
      return `${parts[1]}-${pad(+parts[2]!)}-${pad(+parts[3]!)}`;
    }
    case 'DATETIME':
    case 'TIMESTAMP': {
      const instant = parseDateTime(text.trim(), type === 'TIMESTAMP');
      if (instant === null) {
        throw fail(type === 'DATETIME' ? 'expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] without a time zone' : 'expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] with Z or ±HH:MM (UTC when omitted)');
      }
      return instant;
    }
    case 'JSON':
      try {
        JSON.parse(text);
      } catch {
        throw fail('expected JSON text');
      }
      return text;
  }
}

/**
 * A DATETIME as `YYYY-MM-DD HH:MM:SS.ffffff`, or a TIMESTAMP moved to UTC as
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`; null when the text is not one.
 */
function parseDateTime(text: string, withZone: boolean): string | null {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(?:\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?))?$/i.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', f = '', zone] = match;
  if (!isCalendarDate(+y!, +mo!, +d!) || +h > 23 || +mi > 59 || +s > 59) return null;
  if (zone !== undefined && !withZone) return null;
  const micros = f.padEnd(6, '0');
  if (!withZone) return `${y}-${pad(+mo!)}-${pad(+d!)} ${pad(+h)}:${pad(+mi)}:${pad(+s)}.${micros}`;
  let offsetMinutes = 0;
  if (zone !== undefined && !/^(?:Z|UTC)$/i.test(zone)) {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    if (+z[2]! > 14 || +(z[3] ?? '0') > 59) return null;
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (+z[2]! * 60 + +(z[3] ?? '0'));
  }
  const utc = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi - offsetMinutes, +s));
  utc.setUTCFullYear(+y!, +mo! - 1, +d!); // Date.UTC maps years 0–99 to 1900–1999
  utc.setUTCHours(+h, +mi - offsetMinutes, +s);
  return `${utc.toISOString().slice(0, 19)}.${micros}Z`;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number) => String(n).padStart(2, '0');

function invalid(name: string, type: QueryParamType, text: string, why: string): QueryParamError {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return new QueryParamError(`--param ${name}: "${shown}" is not a valid ${type} (${why})`);
}
