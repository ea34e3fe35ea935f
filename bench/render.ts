import { loadCampaign } from '../functions/campaigns/load-campaigns.ts';
import { createRenderer } from '../pipelines/content/render-email.ts';
import { sampleEmailData } from '../pipelines/content/sample-email-data.ts';
import { createLinkTracking } from '../pipelines/delivery/tracking-links.ts';

/**
 * Render throughput (DESIGN.md §7: ≥ 10k emails/s per core), on this one thread, as a ratio to a bare
 * liquidjs render of the same compiled HTML template measured in the same run. A full render is what
 * a send does: subject, HTML and text parts, the variant choice and both link-tracking passes, with
 * first-party tracking (the campaign's default: a signed click token per link and an open pixel).
 * Each full render gets its own person, cart and offer expiry, so no cache sees the same email twice.
 */
export async function measureRender(seconds: number) {
  const campaign = await loadCampaign('cart-abandonment', { templatesDir: 'templates' });
  const render = createRenderer(campaign);
  const template = campaign.steps[0]!.template.html.template;
  const start = Date.parse('2026-03-01T10:00:00Z');
  const base = sampleEmailData(campaign.definition, campaign.sample, new Date(start));
  const dataFor = (i: number) => {
    const data = sampleEmailData(campaign.definition, campaign.sample, new Date(start + i * 1000));
    return { ...data, person: { ...data.person, id: `bench-person-${i}` }, cart: { ...data.cart!, id: `cart-${i}`, url: `https://shop.example/cart?restore=cart-${i}` } };
  };
  // The scope a bare render needs: what createRenderer gives templates, built once.
  const scope = {
    ...base,
    cart: { ...base.cart!, items: base.cart!.items.map((item) => ({ ...item, image_url: item.image_url ?? null, stock: item.stock ?? null })) },
    postal_address: campaign.definition.postal_address,
    campaign: { id: campaign.id, name: campaign.definition.name },
    sender: campaign.definition.sender,
    step: 0,
    variant_id: 'a',
  };
  // renderSync, the faster of liquidjs's two entry points (the renderer uses it too): the ratio is not flattered.
  const bareRender = async () => campaign.engines.html.renderSync(template, scope);
  const linkKey = 'bench-link-signing-key-0123456789abcdef';
  const fullRender = (i: number) => {
    const data = dataFor(i);
    const tracking = createLinkTracking({ baseUrl: 'https://nudge.shop.example', key: linkKey, send_id: `bench-send-${i}`, person_id: data.person.id, campaign_id: campaign.id, now: new Date(start), ttlDays: 365, shopHosts: ['shop.example'] });
    return render(data, { tracking });
  };

  // Alternate the two in short rounds so a noisy neighbour or GC phase hits both alike.
  const rounds = 4;
  const sliceMs = (seconds * 1000) / (2 * rounds);
  let bare = { count: 0, ms: 0 };
  let full = { count: 0, ms: 0 };
  await runFor(300, bareRender); // warm-up: JIT, liquidjs caches
  await runFor(300, fullRender);
  for (let round = 0; round < rounds; round++) {
    bare = add(bare, await runFor(sliceMs, bareRender));
    full = add(full, await runFor(sliceMs, fullRender));
  }
  return { barePerSecond: (bare.count * 1000) / bare.ms, fullPerSecond: (full.count * 1000) / full.ms, seconds };
}

async function runFor(ms: number, work: (i: number) => Promise<unknown>) {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < ms) await work(count++);
  return { count, ms: performance.now() - started };
}

const add = (a: { count: number; ms: number }, b: { count: number; ms: number }) => ({ count: a.count + b.count, ms: a.ms + b.ms });
