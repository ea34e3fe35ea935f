import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CampaignError } from '../../../pipelines/campaigns/campaign-error.ts';
import { createRenderer } from '../../../pipelines/content/render-email.ts';
import { sampleEmailData } from '../../../pipelines/content/sample-email-data.ts';
import { campaignFolders, loadCampaign, resolveTemplatesDir } from '../../campaigns/load-campaigns.ts';

export type PreviewOptions = {
  /** Default NUDGE_TEMPLATES_DIR, then templates/. */
  templatesDir?: string;
  /** Default $NUDGE_DATA_DIR/preview, i.e. .nudge/preview. */
  outDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Where errors go; default stderr. */
  err?: Writable;
  now?: () => Date;
};

/**
 * `nudge preview <campaign>`: renders the campaign's sample.json with its real templates (the same
 * compile and render path as a send) to <outDir>/<campaign>.html and .txt — follow-up steps as
 * <campaign>.step<N>.html/.txt — and prints the subject lines and the paths.
 */
export async function runPreviewCommand(campaign: string, options: PreviewOptions, out: Writable): Promise<number> {
  const env = options.env ?? process.env;
  const err = options.err ?? process.stderr;
  const now = options.now ?? (() => new Date());
  try {
    const loaded = await loadCampaign(campaign, { templatesDir: options.templatesDir, env, now });
    const outDir = resolve(options.outDir ?? join(env.NUDGE_DATA_DIR || '.nudge', 'preview'));
    await mkdir(outDir, { recursive: true });
    const data = sampleEmailData(loaded.definition, loaded.sample, now());
    const render = createRenderer(loaded);
    out.write(`${loaded.definition.name} (${loaded.id}), sample ${loaded.definition.sample}\n`);
    if (data.offer) {
      const code = data.offer.code;
      const unique = loaded.definition.offers.some(({ offer }) => offer.unique === true && code.startsWith(`${offer.code}-`));
      // A preview has no send: its unique code is signed for a fixed preview id with a published key, so it verifies nowhere.
      out.write(`offer: ${data.offer.label}, code ${code}${unique ? ' (unique: each email gets its own; this preview one is refused at checkout)' : ''}, until ${data.offer.expires_at}\n`);
    }
    for (const step of loaded.steps) {
      const email = await render(data, { step: step.index });
      const base = join(outDir, step.index === 0 ? loaded.id : `${loaded.id}.step${step.index}`);
      await writeFile(`${base}.html`, email.html);
      await writeFile(`${base}.txt`, email.text);
      out.write(`\nstep ${step.index} (after ${step.wait}${step.index > 0 ? ' more' : ''}), template ${step.template.name}\n`);
      out.write(`subject [${email.variant_id}]: ${email.subject}\n`);
      const others = step.subjects.filter((subject) => subject.id !== email.variant_id).map((subject) => subject.id);
      if (others.length) out.write(`  (other variants: ${others.join(', ')}; a person always gets the same one)\n`);
      out.write(`html: ${shown(`${base}.html`)}\ntext: ${shown(`${base}.txt`)}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof CampaignError) {
      err.write(`nudge: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/**
 * `nudge preview --all`: every campaign folder in turn, as `nudge preview <campaign>` renders it.
 * Stops at the first campaign that fails (its error names file and field) with exit code 1.
 */
export async function runPreviewAllCommand(options: PreviewOptions, out: Writable): Promise<number> {
  const err = options.err ?? process.stderr;
  let folders: string[];
  try {
    folders = campaignFolders(resolveTemplatesDir({ templatesDir: options.templatesDir, env: options.env ?? process.env }));
  } catch (error) {
    if (!(error instanceof CampaignError)) throw error;
    err.write(`nudge: ${error.message}\n`);
    return 1;
  }
  for (const [index, campaign] of folders.entries()) {
    if (index > 0) out.write('\n');
    const code = await runPreviewCommand(campaign, options, out);
    if (code !== 0) return code;
  }
  return 0;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
