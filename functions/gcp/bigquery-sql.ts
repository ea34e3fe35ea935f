/**
 * The SQL of sql/ and of analysts (pipelines/warehouse/warehouse.ts) made ready for a BigQuery
 * job: the same three ways of naming a table the embedded warehouse accepts must reach the same
 * deployed dataset.
 *
 * - `${dataset}` (terraform's templatefile placeholder) → the project-qualified dataset.
 * - `nudge.events` (the dataset as the docs and sql/queries spell it) → the configured dataset,
 *   which terraform may have named otherwise (var.bigquery_dataset_id); the embedded warehouse also
 *   treats `nudge` as "the warehouse", so a query means the same on both targets.
 * - bare `events` → resolved by the job's defaultDataset (set by the adapter, not here).
 *
 * Works on tokens from the embedded lexer (never on raw text), so a `${dataset}` or `nudge.` inside
 * a string literal or a comment is left alone. (The lexer lives in functions/embedded/ for now;
 * it is pure and shared, like ConfigError — a candidate for a shared functions/sql/ folder.)
 */
import { BigQueryTranslationError, isDistinctFrom, isSignificant, splitTopLevel, tokenize, type Token } from '../bigquery-sql/bigquery-tokens.ts';

export type RenderedSql = {
  sql: string;
  /** Names of the `@params` used (without `@`), in order of first use; `@@system` variables excluded. */
  params: string[];
  /** Non-empty `;`-separated statements: more than one makes the job a script. */
  statements: number;
};

export type DatasetRef = { projectId: string; dataset: string };

/** The dataset qualifier the port accepts, the one the embedded translator always drops. */
const docsDataset = 'nudge';

/** Keywords after which a dotted name is a table path (so `nudge.x` elsewhere stays a column path). */
const tableContext = new Set(['FROM', 'JOIN', 'INTO', 'TABLE', 'UPDATE', 'VIEW']);

const quote = (part: string) => `\`${part.replaceAll('`', '\\`')}\``;
/**
 * `project`.`dataset` outside backticks: each part quoted on its own (project ids hold hyphens),
 * the form BigQuery's path expressions document; a whole `p.d.table` is only written when the
 * query itself had one backticked path.
 */
const datasetPath = (ref: DatasetRef) => `${quote(ref.projectId)}.${quote(ref.dataset)}`;

function renderPlaceholder(token: Token, ref: DatasetRef): string {
  if (token.value !== 'dataset') throw new BigQueryTranslationError(`Unknown placeholder \${${token.value}}: only \${dataset} is rendered`);
  return datasetPath(ref);
}

function renderQuoted(token: Token, ref: DatasetRef, isTable: boolean): string {
  let path = token.value.replace(/\$\{\s*dataset\s*\}/g, `${ref.projectId}.${ref.dataset}`);
  const unknown = /\$\{\s*([^}]*?)\s*\}/.exec(path);
  if (unknown) throw new BigQueryTranslationError(`Unknown placeholder \${${unknown[1]}}: only \${dataset} is rendered`);
  // `nudge.events` (two parts) names the warehouse dataset; three parts already name a project.
  if (isTable && path === token.value && new RegExp(`^${docsDataset}\\.[^.]+$`, 'i').test(path)) {
    path = `${ref.projectId}.${ref.dataset}${path.slice(docsDataset.length)}`;
  }
  return path === token.value ? token.text : quote(path);
}

export function renderBigQuerySql(sql: string, ref: DatasetRef): RenderedSql {
  const tokens = tokenize(sql);
  const params: string[] = [];
  let out = '';
  let previous: Token | undefined; // the previous significant token
  let beforePrevious: Token | undefined;
  let beforeThat: Token | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // `x IS [NOT] DISTINCT FROM nudge.y`: an expression follows that FROM, not a table.
    const afterTableKeyword = previous?.kind === 'ident' && tableContext.has(previous.value.toUpperCase()) && !isDistinctFrom(beforePrevious, beforeThat);
    if (token.kind === 'placeholder') {
      out += renderPlaceholder(token, ref);
    } else if (token.kind === 'quoted') {
      out += renderQuoted(token, ref, afterTableKeyword);
    } else if (
      token.kind === 'ident' &&
      token.value.toLowerCase() === docsDataset &&
      afterTableKeyword &&
      tokens[i + 1]?.kind === 'op' &&
      tokens[i + 1]?.value === '.'
    ) {
      out += datasetPath(ref);
    } else {
      if (token.kind === 'param' && !token.value.startsWith('@') && !params.includes(token.value)) params.push(token.value);
      out += token.text;
    }
    if (isSignificant(token)) {
      beforeThat = beforePrevious;
      beforePrevious = previous;
      previous = token;
    }
  }
  const statements = splitTopLevel(tokens, ';').filter((statement) => statement.some(isSignificant)).length;
  return { sql: out, params, statements };
}
