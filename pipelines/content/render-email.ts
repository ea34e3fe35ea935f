import type { Template } from 'liquidjs';
import { CampaignError } from '../campaigns/campaign-error.ts';
import { chooseVariant } from './choose-variant.ts';
import type { EmailData, ProductData } from './email-data.ts';
import { toRenderError } from './liquid-errors.ts';
import type { LoadedCampaign, LoadedStep } from './loaded-campaign.ts';
import { addFirstPartyTracking, type LinkTracking } from './first-party-tracking.ts';
import { addTrackingToHtml, addTrackingToText, trackingParams } from './track-links.ts';

export type RenderedEmail = {
  subject: string;
  html: string;
  text: string;
  /** The subject variant, also the utm_content of every link. */
  variant_id: string;
};

export type RenderEmailOptions = {
  /** 0 = the first email (default); n = the n-th follow-up of the definition's `steps`. */
  step?: number;
  /** First-party open and click tracking for this email (the campaign's `tracking: first_party`); absent: links get utm parameters only. */
  tracking?: LinkTracking;
};

export type EmailRenderer = (data: EmailData, options?: RenderEmailOptions) => Promise<RenderedEmail>;

/**
 * A renderer bound to one loaded campaign: templates are already compiled and parsed, so a render
 * is three Liquid renders and two link passes (what `npm run bench` measures).
 */
export function createRenderer(campaign: LoadedCampaign): EmailRenderer {
  const { engines } = campaign;
  return async (data, options = {}) => {
    const step = stepOf(campaign, options.step ?? 0);
    const variant = chooseVariant(campaign.id, data.person.id, step.subjects);
    const scope = toScope(campaign, data, step.index, variant.id);
    const sources = campaign.sources;
    // renderSync: every filter and partial is in memory, so nothing here waits on I/O, and liquidjs's
    // async path costs a promise per node (about a third of a render). Errors are the same either way.
    const render = (engine: typeof engines.html, template: Template[], file: string): string => {
      try {
        return engine.renderSync(template, scope) as string;
      } catch (error) {
        throw toRenderError(error, sources, file);
      }
    };
    const subjectRaw = render(engines.text, variant.template, `${campaign.dir}/campaign.yaml`);
    const htmlRaw = render(engines.html, step.template.html.template, step.template.html.file);
    const textRaw = render(engines.text, step.template.text.template, step.template.text.file);
    // A subject is a single header line: newlines from Liquid whitespace must not reach the header.
    const subject = subjectRaw.replace(/\s+/g, ' ').trim();
    if (!subject) throw new CampaignError({ file: `${campaign.dir}/campaign.yaml`, field: `subjects (variant ${variant.id})` }, 'rendered to an empty subject');
    const params = trackingParams(campaign.id, variant.id);
    const skip = new Set([data.unsubscribe_url]);
    if (options.tracking) {
      const tracked = addFirstPartyTracking({ html: htmlRaw, text: textRaw }, { params, skipUrls: skip, tracking: options.tracking });
      return { subject, html: tracked.html, text: tracked.text, variant_id: variant.id };
    }
    return { subject, html: addTrackingToHtml(htmlRaw, params, skip), text: addTrackingToText(textRaw, params, skip), variant_id: variant.id };
  };
}

const renderers = new WeakMap<LoadedCampaign, EmailRenderer>();

/** Renders one email of a campaign for one person and cart. */
export function renderEmail(campaign: LoadedCampaign, data: EmailData, options?: RenderEmailOptions): Promise<RenderedEmail> {
  let renderer = renderers.get(campaign);
  if (!renderer) {
    renderer = createRenderer(campaign);
    renderers.set(campaign, renderer);
  }
  return renderer(data, options);
}

function stepOf(campaign: LoadedCampaign, index: number): LoadedStep {
  const step = campaign.steps[index];
  if (!step) throw new RangeError(`campaign ${campaign.id} has no step ${index} (steps 0–${campaign.steps.length - 1})`);
  return step;
}

/** The names every campaign's templates see, whatever the trigger (plus its blocks: dataBlocksByTrigger). */
export const commonScopeNames = ['person', 'offer', 'unsubscribe_url', 'shop', 'postal_address', 'campaign', 'sender', 'step', 'variant_id'] as const;

/**
 * The names templates see. Optional fields become null rather than absent: under strictVariables
 * an absent name is an error even inside `{% if %}`, a null one is simply falsy.
 */
function toScope(campaign: LoadedCampaign, data: EmailData, step: number, variantId: string): Record<string, unknown> {
  const { definition } = campaign;
  return {
    person: { id: data.person.id, email: data.person.email, first_name: data.person.first_name ?? null },
    // Only the blocks this trigger provides: a template reading another one fails (strict variables).
    ...(data.cart
      ? {
          cart: {
            id: data.cart.id ?? null,
            items: data.cart.items.map((item) => ({ ...item, image_url: item.image_url ?? null, stock: item.stock ?? null })),
            value: data.cart.value,
            currency: data.cart.currency,
            url: data.cart.url,
          },
        }
      : {}),
    ...(data.items ? { items: data.items.map(toProductScope) } : {}),
    ...(data.item ? { item: toProductScope(data.item) } : {}),
    ...(data.recommendations ? { recommendations: data.recommendations.map(toProductScope) } : {}),
    offer: data.offer,
    unsubscribe_url: data.unsubscribe_url,
    shop: data.shop,
    postal_address: data.postal_address ?? definition.postal_address,
    campaign: { id: campaign.id, name: definition.name },
    sender: { name: definition.sender.name, email: definition.sender.email },
    step,
    variant_id: variantId,
  };
}

function toProductScope(product: ProductData): Record<string, unknown> {
  return { ...product, image_url: product.image_url ?? null, stock: product.stock ?? null, previous_price: product.previous_price ?? null, drop_percent: product.drop_percent ?? null };
}
