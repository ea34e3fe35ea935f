import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import mjml2html from 'mjml';
import { CampaignError } from '../../pipelines/campaigns/campaign-error.ts';
import { compileCampaign, prepareSharedTemplates } from '../../pipelines/content/compile-campaign.ts';
import type { CompileMjml, LoadedCampaign, SharedTemplates, SourceFile } from '../../pipelines/content/loaded-campaign.ts';

export type LoadCampaignsOptions = {
  /** Overrides NUDGE_TEMPLATES_DIR. */
  templatesDir?: string;
  /** Where NUDGE_TEMPLATES_DIR is read from (never process.env directly). */
  env?: Readonly<Record<string, string | undefined>>;
  /** For the start-up render of each sample (offer expiry); default the system clock. */
  now?: () => Date;
  /** Default: mjml2html; tests pass a counting wrapper. */
  compileMjml?: CompileMjml;
};

export const defaultTemplatesDir = 'templates';

/** NUDGE_TEMPLATES_DIR, default templates/ — resolved against the working directory. */
export function resolveTemplatesDir(options: Pick<LoadCampaignsOptions, 'templatesDir' | 'env'> = {}): string {
  return resolve(options.templatesDir || options.env?.NUDGE_TEMPLATES_DIR || defaultTemplatesDir);
}

/**
 * MJML → HTML with the mjml package; validation "soft" so every error comes back with its line.
 * `fonts: {}`: MJML otherwise adds a Google Fonts <link> whenever a font stack names e.g. Roboto,
 * which makes every open fetch from Google (the recipient's IP leaves the shop); a template that
 * wants a web font declares it with <mj-font>.
 */
export const compileMjmlWithLibrary: CompileMjml = async (mjml) => {
  const result = await mjml2html(mjml, { validationLevel: 'soft', keepComments: true, fonts: {} });
  return { html: result.html, errors: result.errors.map((error) => ({ line: error.line, message: error.message })) };
};

/**
 * Every campaign under the templates folder (one folder each; folders starting with "_" or "." are
 * shared or hidden), compiled once. Any definition or template error throws a CampaignError naming
 * file, line and field — start-up stops rather than sending a broken email.
 */
export async function loadCampaigns(options: LoadCampaignsOptions = {}): Promise<Map<string, LoadedCampaign>> {
  const root = resolveTemplatesDir(options);
  const shared = readShared(root);
  const campaigns = new Map<string, LoadedCampaign>();
  for (const folder of campaignFolders(root)) campaigns.set(folder, await compileFolder(root, folder, shared, options));
  return campaigns;
}

/** One campaign by folder name (for `nudge preview <campaign>`). */
export async function loadCampaign(name: string, options: LoadCampaignsOptions = {}): Promise<LoadedCampaign> {
  const root = resolveTemplatesDir(options);
  if (!campaignFolders(root).includes(name)) {
    throw new CampaignError({ file: display(join(root, name)) }, `no such campaign (campaigns: ${campaignFolders(root).join(', ') || 'none'})`);
  }
  return compileFolder(root, name, readShared(root), options);
}

/** The campaign folder names under a templates folder. */
export function campaignFolders(root: string): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CampaignError({ file: display(root) }, 'templates folder not found (set NUDGE_TEMPLATES_DIR)');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

function compileFolder(root: string, folder: string, shared: SharedTemplates, options: LoadCampaignsOptions): Promise<LoadedCampaign> {
  const dir = join(root, folder);
  return compileCampaign(
    { folder, dir: display(dir), files: readFiles(dir, () => true, (name) => name) },
    shared,
    { compileMjml: options.compileMjml ?? compileMjmlWithLibrary, now: options.now ?? (() => new Date()) },
  );
}

function readShared(root: string): SharedTemplates {
  return prepareSharedTemplates({
    layouts: readFiles(join(root, '_layouts'), (name) => name.endsWith('.mjml'), (name) => basename(name, '.mjml')),
    // "footer.liquid" is {% render 'footer' %}; "footer.txt.liquid" is {% render 'footer.txt' %}.
    partials: readFiles(join(root, '_partials'), (name) => name.endsWith('.liquid'), (name) => basename(name, '.liquid')),
  });
}

function readFiles(dir: string, include: (name: string) => boolean, key: (name: string) => string): Map<string, SourceFile> {
  const files = new Map<string, SourceFile>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !include(entry.name)) continue;
    const path = join(dir, entry.name);
    files.set(key(entry.name), { file: display(path), text: readFileSync(path, 'utf8') });
  }
  return files;
}

/** Paths in messages are relative to the working directory when inside it ("templates/x/campaign.yaml"). */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
