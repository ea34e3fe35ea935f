import { LiquidError } from 'liquidjs';
import { CampaignError } from '../campaigns/campaign-error.ts';
import type { SourceFile } from './loaded-campaign.ts';

/** liquidjs appends ", file:x, line:2, col:7" (and a code frame); CampaignError says where on its own. */
export function liquidMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/,\s*(file:[^,]*,\s*)?line:\d+,\s*col:\d+$/, '');
}

/** A Liquid parse error in `source` → CampaignError at the token's line (plus `lineOffset` for embedded snippets). */
export function toParseError(error: unknown, source: { file: string; field?: string }, lineOffset = 0): CampaignError {
  const line = LiquidError.is(error) ? (error.token.getPosition()[0] ?? 1) + lineOffset : undefined;
  return new CampaignError({ file: source.file, line, field: source.field }, liquidMessage(error), { cause: error });
}

/**
 * A render error (e.g. an undefined variable under strictVariables) points at compiled HTML, whose
 * lines are MJML's, not the author's. The failing token's text ("{{ cart.totl }}") is searched for
 * in the sources to name the file and line the author wrote it on.
 */
export function toRenderError(error: unknown, sources: readonly SourceFile[], fallbackFile: string): CampaignError {
  const tokenText = LiquidError.is(error) ? error.token.getText() : undefined;
  if (tokenText) {
    for (const source of sources) {
      const at = source.text.indexOf(tokenText);
      if (at >= 0) return new CampaignError({ file: source.file, line: lineAt(source.text, at) }, liquidMessage(error), { cause: error });
    }
  }
  return new CampaignError({ file: fallbackFile }, liquidMessage(error), { cause: error });
}

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
