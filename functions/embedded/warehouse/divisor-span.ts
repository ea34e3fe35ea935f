import { BigQueryTranslationError, findClosing, isKeyword, isOp, nextSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

/**
 * The tokens of the right operand of `/` that starts after `from`: where the divisor ends.
 * BigQuery raises "division by zero" for `x / 0` (INT64, FLOAT64 and NUMERIC alike), while DuckDB
 * answers Infinity or NULL; the translator wraps the divisor in a check, so it must know where the
 * divisor ends. `/` binds tighter than everything but unary signs and postfix access, so the
 * divisor is one primary: a literal, a (dotted) name, a call, a parenthesised expression, a CASE
 * … END, a typed literal — each with any `.field`, `[...]` or `OVER (...)` after it. Hand-written because the
 * translator works on tokens, without a full expression parser.
 */
export function findDivisorEnd(tokens: readonly Token[], from: number): number {
  const at = nextSignificant(tokens, from);
  const token = tokens[at];
  if (!token) throw new BigQueryTranslationError('"/" needs a divisor');
  if (isOp(token, '-') || isOp(token, '+')) return findDivisorEnd(tokens, at + 1);
  let end: number;
  if (isOp(token, '(')) end = findClosing(tokens, at);
  else if (isKeyword(token, 'CASE')) end = findCaseEnd(tokens, at);
  else if (token.kind === 'ident' && tokens[nextSignificant(tokens, at + 1)]?.kind === 'string') end = nextSignificant(tokens, at + 1);
  else if (token.kind === 'ident' && isOp(tokens[nextSignificant(tokens, at + 1)], '(')) end = findClosing(tokens, nextSignificant(tokens, at + 1));
  else if (['ident', 'quoted', 'number', 'string', 'param'].includes(token.kind)) end = at;
  else throw new BigQueryTranslationError(`Cannot read the divisor after "/" at "${token.text}"`);
  for (;;) {
    const next = nextSignificant(tokens, end + 1);
    if (isOp(tokens[next], '[')) end = findClosing(tokens, next);
    // `x / COUNT(*) OVER (...)`: the window belongs to the call, so to the divisor.
    else if (isKeyword(tokens[next], 'OVER')) {
      const window = nextSignificant(tokens, next + 1);
      end = isOp(tokens[window], '(') ? findClosing(tokens, window) : window;
    }
    else if (isOp(tokens[next], '.') && ['ident', 'quoted'].includes(tokens[nextSignificant(tokens, next + 1)]?.kind ?? '')) {
      end = nextSignificant(tokens, next + 1);
      const call = nextSignificant(tokens, end + 1);
      if (isOp(tokens[call], '(')) end = findClosing(tokens, call);
    } else return end;
  }
}

function findCaseEnd(tokens: readonly Token[], at: number): number {
  let depth = 0;
  for (let i = at; i < tokens.length; i++) {
    if (isKeyword(tokens[i], 'CASE')) depth += 1;
    if (isKeyword(tokens[i], 'END') && --depth === 0) return i;
  }
  throw new BigQueryTranslationError('CASE without END');
}
