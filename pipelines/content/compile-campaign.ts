import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { CampaignError } from '../campaigns/campaign-error.ts';
import { parseDuration } from '../campaigns/duration.ts';
import { formatYamlPath, parseLocatedYaml } from '../campaigns/parse-located-yaml.ts';
import type { YamlPath } from '../campaigns/parse-located-yaml.ts';
import { compileEmailTemplate } from './compile-template.ts';
import { dataBlocks, dataBlocksByTrigger, EmailSample } from './email-data.ts';
import { toParseError } from './liquid-errors.ts';
import { createLiquidEngines } from './liquid-engines.ts';
import type { CompileMjml, CompiledTemplate, LoadedCampaign, LoadedSubject, SharedTemplates, SourceFile } from './loaded-campaign.ts';
import { checkTemplateVariables } from './check-template-variables.ts';
import { commonScopeNames, createRenderer } from './render-email.ts';
import { sampleEmailData } from './sample-email-data.ts';
import { escapeHtml } from './track-links.ts';

/** One campaign folder as read by the loader: files by name (campaign.yaml, email.mjml.liquid, …). */
export type CampaignSources = {
  /** The folder's name; the definition's id must equal it. */
  folder: string;
  /** The folder as shown in errors, e.g. "templates/cart-abandonment". */
  dir: string;
  files: ReadonlyMap<string, SourceFile>;
};

/** Liquid engines over the shared partials, each partial parsed once so a syntax error stops start-up. */
export function prepareSharedTemplates(input: { layouts: ReadonlyMap<string, SourceFile>; partials: ReadonlyMap<string, SourceFile> }): SharedTemplates {
  const engines = createLiquidEngines(Object.fromEntries([...input.partials].map(([name, source]) => [name, source.text])));
  for (const source of input.partials.values()) {
    try {
      engines.html.parse(source.text, source.file);
    } catch (error) {
      throw toParseError(error, source);
    }
  }
  return { layouts: input.layouts, partials: input.partials, engines };
}

/**
 * Validates a campaign folder and compiles everything it needs (MJML once per template), then renders
 * every step with the sample so a template that reads a missing variable, or lacks the unsubscribe
 * link or postal address, fails at start-up rather than at the first send.
 */
export async function compileCampaign(
  sources: CampaignSources,
  shared: SharedTemplates,
  deps: { compileMjml: CompileMjml; now: () => Date },
): Promise<LoadedCampaign> {
  const definitionFile = sources.files.get('campaign.yaml') ?? missing(`${sources.dir}/campaign.yaml`, 'the campaign definition is missing');
  const { value: definition, lineOf } = parseLocatedYaml(CampaignDefinition, definitionFile.text, definitionFile.file);
  const at = (path: YamlPath, detail: string) => new CampaignError({ file: definitionFile.file, line: lineOf(path), field: formatYamlPath(path) }, detail);
  if (definition.id !== sources.folder) throw at(['id'], `must equal the folder name "${sources.folder}"`);
  const layout = shared.layouts.get(definition.layout);
  if (!layout) throw at(['layout'], `no layout "${definition.layout}" (expected _layouts/${definition.layout}.mjml)`);

  const used: SourceFile[] = [definitionFile, layout, ...shared.partials.values()];
  const compiled = new Map<string, CompiledTemplate>();
  const compile = async (name: string, path: YamlPath): Promise<CompiledTemplate> => {
    const existing = compiled.get(name);
    if (existing) return existing;
    const mjml = sources.files.get(`${name}.mjml.liquid`);
    const text = sources.files.get(`${name}.txt.liquid`);
    if (!mjml || !text) throw at(path, `template "${name}" needs ${name}.mjml.liquid and ${name}.txt.liquid in ${sources.dir}`);
    used.push(mjml, text);
    const template = await compileEmailTemplate({ name, mjml, text, layout }, { engines: shared.engines, compileMjml: deps.compileMjml });
    compiled.set(name, template);
    return template;
  };
  const parseSubjects = (variants: CampaignDefinition['subjects'], path: YamlPath): LoadedSubject[] =>
    variants.map((variant, index) => {
      const subjectPath = [...path, index, 'subject'];
      try {
        return { id: variant.id, source: variant.subject, template: shared.engines.text.parse(variant.subject, definitionFile.file) };
      } catch (error) {
        throw toParseError(error, { file: definitionFile.file, field: formatYamlPath(subjectPath) }, lineOf(subjectPath) - 1);
      }
    });

  const steps = [
    {
      index: 0,
      wait: definition.wait,
      wait_ms: parseDuration(definition.wait),
      template: await compile(definition.template, ['template']),
      subjects: parseSubjects(definition.subjects, ['subjects']),
    },
  ];
  for (const [i, step] of definition.steps.entries()) {
    steps.push({
      index: i + 1,
      wait: step.wait,
      wait_ms: parseDuration(step.wait),
      template: await compile(step.template ?? definition.template, step.template ? ['steps', i, 'template'] : ['template']),
      subjects: step.subjects ? parseSubjects(step.subjects, ['steps', i, 'subjects']) : parseSubjects(definition.subjects, ['subjects']),
    });
  }

  const sampleFile = sources.files.get(definition.sample) ?? missing(`${sources.dir}/${definition.sample}`, 'sample data is required (previews and the start-up render check use it)');
  const { value: sample, lineOf: sampleLineOf } = parseLocatedYaml(EmailSample, sampleFile.text, sampleFile.file);
  // The sample holds exactly what the trigger gives templates at send time, so a template that
  // reads a block its trigger never provides (a browse email reading `cart`) fails the render below.
  const provided: readonly string[] = dataBlocksByTrigger[definition.trigger.kind];
  for (const block of dataBlocks) {
    const has = sample[block] !== undefined;
    if (provided.includes(block) && !has) throw new CampaignError({ file: sampleFile.file, field: block }, `a ${definition.trigger.kind} campaign's sample needs "${block}" (what its emails are rendered from)`);
    if (!provided.includes(block) && has) {
      throw new CampaignError({ file: sampleFile.file, line: sampleLineOf([block]), field: block }, `a ${definition.trigger.kind} campaign is never given "${block}" (it provides: ${provided.join(', ')})`);
    }
  }
  const campaign: LoadedCampaign = { id: definition.id, definition, dir: sources.dir, steps, sample, engines: shared.engines, sources: used };
  // Every branch of every template, not only those the sample takes: no name the trigger never gives.
  const allowed = new Set<string>([...commonScopeNames, ...dataBlocksByTrigger[definition.trigger.kind]]);
  for (const step of steps) {
    const mjmlSource = sources.files.get(`${step.template.name}.mjml.liquid`)!;
    const textSource = sources.files.get(`${step.template.name}.txt.liquid`)!;
    checkTemplateVariables({ engine: shared.engines.html, template: step.template.html.template, source: mjmlSource, allowed });
    checkTemplateVariables({ engine: shared.engines.text, template: step.template.text.template, source: textSource, allowed });
  }
  const subjectLists: [CampaignDefinition['subjects'], YamlPath][] = [[definition.subjects, ['subjects']], ...definition.steps.flatMap((step, i): [CampaignDefinition['subjects'], YamlPath][] => (step.subjects ? [[step.subjects, ['steps', i, 'subjects']]] : []))];
  for (const [variants, path] of subjectLists) {
    variants.forEach((variant, index) => {
      const subjectPath = [...path, index, 'subject'];
      const template = shared.engines.text.parse(variant.subject, definitionFile.file);
      checkTemplateVariables({ engine: shared.engines.text, template, source: { file: definitionFile.file, text: variant.subject }, allowed, field: formatYamlPath(subjectPath), firstLine: lineOf(subjectPath) });
    });
  }
  await checkWithSample(campaign, deps.now());
  return campaign;
}

async function checkWithSample(campaign: LoadedCampaign, now: Date): Promise<void> {
  const data = sampleEmailData(campaign.definition, campaign.sample, now);
  const render = createRenderer(campaign);
  const address = data.postal_address ?? campaign.definition.postal_address;
  const addressLines = address.split('\n').map((line) => line.trim()).filter(Boolean);
  for (const step of campaign.steps) {
    const email = await render(data, { step: step.index });
    // Every marketing email must show an unsubscribe link and the sender's postal address (CAN-SPAM, GDPR).
    const html = step.template.html.file;
    if (!email.html.includes(`href="${escapeHtml(data.unsubscribe_url)}"`)) {
      throw new CampaignError({ file: html }, 'renders no unsubscribe link (expected an href of {{ unsubscribe_url }}, e.g. via {% render "footer" %})');
    }
    if (!email.text.includes(data.unsubscribe_url)) throw new CampaignError({ file: step.template.text.file }, 'renders no unsubscribe link ({{ unsubscribe_url }})');
    for (const line of addressLines) {
      if (!email.html.includes(escapeHtml(line))) throw new CampaignError({ file: html }, 'renders no postal address ({{ postal_address }} in the footer)');
      if (!email.text.includes(line)) throw new CampaignError({ file: step.template.text.file }, 'renders no postal address ({{ postal_address }} in the footer)');
    }
  }
}

function missing(file: string, detail: string): never {
  throw new CampaignError({ file }, detail);
}
