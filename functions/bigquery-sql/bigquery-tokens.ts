/**
 * A lexer for the BigQuery Standard SQL that nudge's sql/ files and analysts' queries use.
 * The translator works on tokens, never on raw text, so a keyword inside a string literal or a
 * comment is never rewritten, and BigQuery's "double-quoted strings" are not mistaken for
 * DuckDB's "double-quoted identifiers".
 */

export type TokenKind =
  | 'space'
  | 'comment'
  /** String literal; `value` is the decoded text (escapes applied unless raw). */
  | 'string'
  | 'bytes'
  /** Bare identifier or keyword; `value` is the text as written. */
  | 'ident'
  /** `backtick-quoted` identifier or path; `value` is the text between the backticks. */
  | 'quoted'
  | 'number'
  /** `@name` query parameter; `value` is the name. `@@name` (system variable) has value `@name`. */
  | 'param'
  /** `${name}` template placeholder (rendered by terraform's templatefile); `value` is the name. */
  | 'placeholder'
  | 'op';

/** `line` and `column` (1-based) locate the token in the SQL as written, for error messages. */
export type Token = { kind: TokenKind; text: string; value: string; line: number; column: number };

/** Where a token sits in the analyst's SQL, as an error message says it. */
export function describePosition(at: { line: number; column: number }): string {
  return `line ${at.line}, column ${at.column}`;
}

/**
 * A construct the translator refuses. With `at`, the message ends with the line and column of the
 * analyst's SQL where the construct starts, so a refusal in a long report query can be found.
 */
export class BigQueryTranslationError extends Error {
  override name = 'BigQueryTranslationError';
  /** The message without the position. */
  readonly reason: string;
  readonly line?: number;
  readonly column?: number;
  constructor(reason: string, at?: Pick<Token, 'line' | 'column'>) {
    super(at ? `${reason} (${describePosition(at)})` : reason);
    this.reason = reason;
    if (at) {
      this.line = at.line;
      this.column = at.column;
    }
  }
}

/**
 * Gives an error that does not yet say where it happened the position of `at` (the innermost
 * construct being translated when it was thrown, so the most precise one known).
 */
export function locateError(error: unknown, at: Token | undefined): unknown {
  if (!(error instanceof BigQueryTranslationError) || error.line !== undefined || !at) return error;
  return new BigQueryTranslationError(error.reason, at);
}

const identStart = /[A-Za-z_]/;
const identPart = /[A-Za-z0-9_]/;
const twoCharOps = new Set(['<=', '>=', '<>', '!=', '||', '=>']);

const escapes: Record<string, string> = {
  n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?',
};

/** Applies BigQuery's backslash escapes (\n, \', \xhh, \uhhhh, \Uhhhhhhhh, \ooo). */
function unescape(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? '';
    const hexLength = next === 'x' || next === 'X' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 2 + hexLength), 16));
      i += 1 + hexLength;
    } else if (/[0-7]/.test(next)) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      out += escapes[next] ?? next;
      i += 1;
    }
  }
  return out;
}

/** Finds where a quoted literal that opens at `start` (after its prefix) ends. */
function scanQuoted(sql: string, start: number, raw: boolean): { end: number; body: string } | undefined {
  const quote = sql[start]!;
  const triple = sql.startsWith(quote.repeat(3), start);
  const closer = triple ? quote.repeat(3) : quote;
  let i = start + closer.length;
  while (i < sql.length) {
    if (!raw && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql.startsWith(closer, i)) {
      return { end: i + closer.length, body: sql.slice(start + closer.length, i) };
    }
    if (!triple && sql[i] === '\n') break;
    i += 1;
  }
  return undefined;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokenKind, end: number, value?: string) => {
    const text = sql.slice(i, end);
    tokens.push({ kind, text, value: value ?? text, line, column: i - lineStart + 1 });
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
      line += 1;
      lineStart = i + at + 1;
    }
    i = end;
  };
  const here = () => ({ line, column: i - lineStart + 1 });
  while (i < sql.length) {
    const ch = sql[i]!;
    const rest = sql.slice(i, i + 3);
    if (/\s/.test(ch)) {
      let end = i + 1;
      while (end < sql.length && /\s/.test(sql[end]!)) end += 1;
      push('space', end);
    } else if (rest.startsWith('--') || ch === '#') {
      const newline = sql.indexOf('\n', i);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (rest.startsWith('/*')) {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new BigQueryTranslationError(`Unterminated comment`, here());
      push('comment', close + 2);
    } else if (/^(?:[rRbB]|[rR][bB]|[bB][rR])?['"]/.test(rest)) {
      const prefix = /^[rRbB]*/.exec(rest)![0];
      const raw = /r/i.test(prefix);
      const scanned = scanQuoted(sql, i + prefix.length, raw);
      if (!scanned) throw new BigQueryTranslationError(`Unterminated literal: ${sql.slice(i, i + 30)}`, here());
      const { end, body } = scanned;
      push(/b/i.test(prefix) ? 'bytes' : 'string', end, raw ? body : unescape(body));
    } else if (ch === '`') {
      const close = sql.indexOf('`', i + 1);
      if (close === -1) throw new BigQueryTranslationError(`Unterminated quoted identifier`, here());
      push('quoted', close + 1, unescape(sql.slice(i + 1, close)));
    } else if (rest.startsWith('${')) {
      const close = sql.indexOf('}', i);
      if (close === -1) throw new BigQueryTranslationError(`Unterminated placeholder`, here());
      push('placeholder', close + 1, sql.slice(i + 2, close).trim());
    } else if (ch === '@') {
      const system = sql[i + 1] === '@';
      let end = i + (system ? 2 : 1);
      while (end < sql.length && identPart.test(sql[end]!)) end += 1;
      push('param', end, (system ? '@' : '') + sql.slice(i + (system ? 2 : 1), end));
    } else if (identStart.test(ch)) {
      let end = i + 1;
      while (end < sql.length && identPart.test(sql[end]!)) end += 1;
      push('ident', end);
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const match = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(sql.slice(i))!;
      push('number', i + match[0].length);
    } else if (twoCharOps.has(sql.slice(i, i + 2))) {
      push('op', i + 2);
    } else {
      push('op', i + 1);
    }
  }
  return tokens;
}

/** Whether a token carries meaning (not whitespace or a comment). */
export function isSignificant(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment';
}

/** Index of the next significant token at or after `from`, or tokens.length. */
export function nextSignificant(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && !isSignificant(tokens[i]!)) i += 1;
  return i;
}

/** Index of the previous significant token before `from`, or -1. */
export function previousSignificant(tokens: readonly Token[], from: number): number {
  let i = from - 1;
  while (i >= 0 && !isSignificant(tokens[i]!)) i -= 1;
  return i;
}

export function isKeyword(token: Token | undefined, ...words: string[]): boolean {
  return token !== undefined && token.kind === 'ident' && words.includes(token.value.toUpperCase());
}

export function isOp(token: Token | undefined, op: string): boolean {
  return token !== undefined && token.kind === 'op' && token.value === op;
}

/** Index of the bracket closing the one at `open` ( `(`, `[` or `<` ). */
export function findClosing(tokens: readonly Token[], open: number): number {
  const opener = tokens[open]!.value;
  const closer = opener === '(' ? ')' : opener === '[' ? ']' : '>';
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'op') continue;
    if (token.value === opener) depth += 1;
    else if (token.value === closer) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new BigQueryTranslationError(`Unbalanced "${opener}" near: ${tokens.slice(open, open + 8).map((t) => t.text).join('')}`);
}

/**
 * Splits tokens at commas that sit outside any bracket — including the angle brackets of
 * ARRAY<...> and STRUCT<a T, b U> types, which are never comparison operators.
 */
export function splitTopLevel(tokens: readonly Token[], separator = ','): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  let angles = 0;
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.kind === 'op') {
      if (token.value === '(' || token.value === '[') depth += 1;
      else if (token.value === ')' || token.value === ']') depth -= 1;
      else if (token.value === '<' && isKeyword(previous, 'ARRAY', 'STRUCT')) angles += 1;
      else if (token.value === '>' && angles > 0) angles -= 1;
    }
    if (depth === 0 && angles === 0 && token.kind === 'op' && token.value === separator) parts.push([]);
    else parts.at(-1)!.push(token);
    if (isSignificant(token)) previous = token;
  }
  return parts;
}

/**
 * Whether the two significant tokens before a FROM make it the operator's `IS [NOT] DISTINCT FROM`
 * (`x IS DISTINCT FROM y`), not the FROM of a SELECT: what follows it is an expression, no table.
 */
export function isDistinctFrom(previous: Token | undefined, beforePrevious: Token | undefined): boolean {
  return isKeyword(previous, 'DISTINCT') && isKeyword(beforePrevious, 'IS', 'NOT');
}
