import type { Liquid, Template } from 'liquidjs';
import { CampaignError } from '../campaigns/campaign-error.ts';

/**
 * Refuses a template that reads a name the campaign's trigger never provides (a browse email
 * reading `cart`), wherever it reads it. The start-up render with the sample catches only the
 * branches the sample takes; liquidjs's static analysis sees every branch. Partials are left out:
 * they see only what the template passes them, and those arguments are checked here.
 * `source` is the text the author wrote, for the line: the HTML template is analysed after MJML
 * compilation, whose lines are not the author's.
 */
export function checkTemplateVariables(input: { engine: Liquid; template: Template[]; source: { file: string; text: string }; allowed: ReadonlySet<string>; field?: string; firstLine?: number }): void {
  const globals = input.engine.analyzeSync(input.template, { partials: false }).globals;
  for (const name of Object.keys(globals).sort()) {
    if (input.allowed.has(name)) continue;
    const line = firstLineReading(input.source.text, name);
    throw new CampaignError(
      { file: input.source.file, ...(line === null ? {} : { line: line + (input.firstLine ?? 1) - 1 }), ...(input.field ? { field: input.field } : {}) },
      `reads "${name}", which this campaign's emails are never given (they get: ${[...input.allowed].sort().join(', ')})`,
    );
  }
}

/** The first line whose Liquid markup mentions `name` as a variable, or null. */
function firstLineReading(text: string, name: string): number | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mention = new RegExp(`(?<![\\w.'"-])${escaped}(?![\\w'"-])`);
  for (const markup of text.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)) {
    if (mention.test(markup[0])) return text.slice(0, markup.index).split('\n').length;
  }
  return null;
}
