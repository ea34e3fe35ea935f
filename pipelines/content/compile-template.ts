import { CampaignError } from '../campaigns/campaign-error.ts';
import { lineAt, toParseError } from './liquid-errors.ts';
import type { LiquidEngines } from './liquid-engines.ts';
import type { CompileMjml, CompiledTemplate, SourceFile } from './loaded-campaign.ts';

/** Where a campaign's MJML goes inside its layout (templates/_layouts/<layout>.mjml). */
export const LAYOUT_SLOT = '<!-- nudge:body -->';

const liquidMarkup = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/**
 * Compiles one email template at load time, never per send:
 *  1. parse the MJML source, the layout and the text part as Liquid, so syntax errors name the file
 *     and line the author wrote;
 *  2. put the MJML into the layout's slot and run MJML once (Liquid is plain text to MJML: keep it in
 *     text content and attribute values, and wrap control tags between MJML elements in <mj-raw>);
 *  3. check every Liquid tag came through MJML unchanged (MJML drops stray text between elements,
 *     which would silently lose a loop), then parse the compiled HTML as the Liquid template to render.
 */
export async function compileEmailTemplate(
  input: { name: string; mjml: SourceFile; text: SourceFile; layout: SourceFile },
  deps: { engines: LiquidEngines; compileMjml: CompileMjml },
): Promise<CompiledTemplate> {
  const { engines } = deps;
  for (const source of [input.mjml, input.layout]) parseOrThrow(engines.html, source);
  const textTemplate = parseOrThrow(engines.text, input.text);

  const slot = input.layout.text.indexOf(LAYOUT_SLOT);
  if (slot < 0) throw new CampaignError({ file: input.layout.file }, `has no ${LAYOUT_SLOT} slot for the campaign's MJML`);
  const before = input.layout.text.slice(0, slot);
  const composed = before + input.mjml.text + input.layout.text.slice(slot + LAYOUT_SLOT.length);
  const bodyFirstLine = lineAt(composed, slot);
  const bodyLines = input.mjml.text.split('\n').length;
  // Map a line of the composed document back to the file it came from.
  const locate = (line: number): { file: string; line: number } => {
    if (line < bodyFirstLine) return { file: input.layout.file, line };
    if (line < bodyFirstLine + bodyLines) return { file: input.mjml.file, line: line - bodyFirstLine + 1 };
    return { file: input.layout.file, line: line - bodyLines + 1 };
  };

  const result = await deps.compileMjml(composed);
  const [mjmlError] = result.errors;
  if (mjmlError) {
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more MJML errors)` : '';
    throw new CampaignError(locate(mjmlError.line), `MJML: ${mjmlError.message}${more}`);
  }
  for (const match of composed.matchAll(liquidMarkup)) {
    if (!result.html.includes(match[0])) {
      throw new CampaignError(
        locate(lineAt(composed, match.index)),
        `Liquid ${JSON.stringify(match[0])} did not survive MJML compilation: keep Liquid inside mj-text/mj-button content or attribute values, and wrap tags between MJML elements in <mj-raw>`,
      );
    }
  }
  let htmlTemplate;
  try {
    htmlTemplate = engines.html.parse(result.html, `${input.mjml.file} (compiled)`);
  } catch (error) {
    throw new CampaignError({ file: input.mjml.file }, `Liquid did not parse after MJML compilation: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
  }
  return {
    name: input.name,
    html: { file: input.mjml.file, compiled: result.html, template: htmlTemplate },
    text: { file: input.text.file, template: textTemplate },
  };
}

function parseOrThrow(engine: LiquidEngines['html'], source: SourceFile) {
  try {
    return engine.parse(source.text, source.file);
  } catch (error) {
    throw toParseError(error, source);
  }
}
