/**
 * Table paths as BigQuery reads them: `project.dataset.table`, with the project unquoted and
 * dashed (`FROM my-project.nudge.events`, which BigQuery allows in FROM), or backticked. The
 * embedded warehouse is one dataset, so a path names one of its tables only through a dataset
 * it answers for (`nudge`, the deployment's dataset name from configuration, `${dataset}`);
 * another dataset is refused rather than read as this one.
 */
import { BigQueryTranslationError, isDistinctFrom, isKeyword, isOp, previousSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

function isPlaceholderText(text: string): boolean {
  return /^\$\{\s*\w+\s*\}$/.test(text);
}

/** The table of a `project.dataset.table` path, or a refusal naming the unknown dataset. */
export function tableOfProjectPath(parts: readonly string[], datasets: ReadonlySet<string>, at: Token): string {
  const [project, dataset, table] = parts;
  if (parts.length !== 3 || !project || !dataset || !table) throw new BigQueryTranslationError(`Malformed table path "${parts.join('.')}"`, at);
  if (!isPlaceholderText(dataset) && !datasets.has(dataset.toLowerCase())) {
    throw new BigQueryTranslationError(`Dataset "${project}.${dataset}" is not this warehouse's (it answers for ${[...datasets].join(', ')}; set NUDGE_BIGQUERY_DATASET to the deployed dataset's name)`, at);
  }
  return table;
}

/**
 * An unquoted dashed path after FROM / JOIN starting at `tokens[i]`: `my-project.nudge.events`
 * lexes as my, -, project, ., nudge, ., events (or a number such as `123.` for `proj-123.`), with
 * no space between. Returns its parts and the index of its last token, or undefined.
 */
export function readDashedPath(tokens: readonly Token[], i: number): { parts: string[]; end: number } | undefined {
  const fromAt = previousSignificant(tokens, i);
  if (!isKeyword(tokens[fromAt], 'FROM', 'JOIN')) return undefined;
  const beforeFrom = previousSignificant(tokens, fromAt);
  if (isDistinctFrom(tokens[beforeFrom], tokens[previousSignificant(tokens, beforeFrom)])) return undefined;
  let end = i;
  let text = '';
  while (end < tokens.length) {
    const token = tokens[end]!;
    if (!(token.kind === 'ident' || token.kind === 'number' || isOp(token, '-') || isOp(token, '.'))) break;
    text += token.text;
    end += 1;
  }
  const parts = text.split('.');
  if (!parts[0]?.includes('-') || parts.length < 2) return undefined;
  return { parts, end: end - 1 };
}
