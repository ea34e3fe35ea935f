import type { Template } from 'liquidjs';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { EmailSample } from './email-data.ts';
import type { LiquidEngines } from './liquid-engines.ts';

/** A file's text and the path to show in errors (relative to the working directory when inside it). */
export type SourceFile = { file: string; text: string };

/** An email template of a campaign, compiled at load: MJML → HTML once, then HTML and text parsed as Liquid once. */
export type CompiledTemplate = {
  name: string;
  html: {
    /** The MJML + Liquid source (templates/<campaign>/<name>.mjml.liquid). */
    file: string;
    /** MJML output with the Liquid still in it; what a bare liquidjs render would use. */
    compiled: string;
    template: Template[];
  };
  text: { file: string; template: Template[] };
};

export type LoadedSubject = { id: string; source: string; template: Template[] };

/** Step 0 is the first email (after `wait`); steps 1… are the follow-ups. */
export type LoadedStep = {
  index: number;
  /** As written, e.g. "30m"; for step n > 0 counted from step n-1's email. */
  wait: string;
  wait_ms: number;
  template: CompiledTemplate;
  subjects: LoadedSubject[];
};

/** A campaign ready to render: what loadCampaigns() returns, one per templates/<campaign>/ folder. */
export type LoadedCampaign = {
  id: string;
  definition: CampaignDefinition;
  /** The campaign folder, as shown in errors. */
  dir: string;
  steps: LoadedStep[];
  sample: EmailSample;
  engines: LiquidEngines;
  /** Every source the campaign's templates came from, to point render errors at a file and line. */
  sources: SourceFile[];
};

/** Shared by all campaigns of one templates folder: templates/_layouts/*.mjml, templates/_partials/*.liquid. */
export type SharedTemplates = {
  layouts: ReadonlyMap<string, SourceFile>;
  partials: ReadonlyMap<string, SourceFile>;
  engines: LiquidEngines;
};

/** mjml2html behind a function type, so pipelines/ does not load mjml and tests can count calls. */
export type CompileMjml = (mjml: string) => Promise<{ html: string; errors: { line: number; message: string }[] }>;
