import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignError } from '../../pipelines/campaigns/campaign-error.ts';
import { renderEmail } from '../../pipelines/content/render-email.ts';
import { sampleEmailData } from '../../pipelines/content/sample-email-data.ts';
import { loadCampaign, loadCampaigns } from './load-campaigns.ts';

const realTemplates = join(import.meta.dirname, '../../templates');
const now = () => new Date('2026-03-01T10:00:00.000Z');
const temps: string[] = [];
after(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of templates/ with one file edited; returns the copy's path. */
function templatesWith(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-templates-'));
  temps.push(dir);
  cpSync(realTemplates, dir, { recursive: true });
  edit(dir);
  return dir;
}
const campaignFile = (dir: string, name: string) => join(dir, 'cart-abandonment', name);
function editFile(path: string, change: (text: string) => string): void {
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `fixture edit of ${path} changed nothing`);
  writeFileSync(path, after);
}
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

/** Loads a copy of the templates and returns the CampaignError it must throw. */
async function loadError(dir: string): Promise<CampaignError> {
  try {
    await loadCampaigns({ templatesDir: dir, now });
  } catch (error) {
    assert.ok(error instanceof CampaignError, `expected a CampaignError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loading to fail');
}

describe('templates/cart-abandonment', () => {
  test('loads and renders its sample: both items with images, the offer, the cart button and the unsubscribe link', async () => {
    const campaign = await loadCampaign('cart-abandonment', { templatesDir: realTemplates, now });
    assert.equal(campaign.steps.length, 2);
    assert.deepEqual(campaign.steps.map((step) => step.wait_ms), [30 * 60_000, 24 * 3_600_000]);
    assert.deepEqual(campaign.definition.exit_events, ['checkout_started', 'order_completed']);
    const data = sampleEmailData(campaign.definition, campaign.sample, now());
    assert.equal(data.offer?.code, 'WELCOME10', 'first-time buyer with a cart ≥ 100 gets 10%');
    const email = await renderEmail(campaign, data);
    for (const item of data.cart!.items) {
      assert.ok(email.html.includes(item.name), item.name);
      assert.ok(email.html.includes(`src="${item.image_url}"`), `image of ${item.name}`);
      assert.ok(email.text.includes(item.name), `text part names ${item.name}`);
    }
    assert.match(email.html, /Only 3 left in stock/);
    assert.equal(email.html.match(/Only \d+ left/g)?.length, 1, 'no urgency for the item with plenty of stock');
    assert.match(email.html, /10% off your order/);
    assert.match(email.html, /WELCOME10/);
    assert.match(email.html, /Valid until Tue 3 Mar, 10:00 UTC/);
    assert.match(email.html, /<a\s+href="https:\/\/shop\.example\/cart\?restore=cart-sample-1&amp;utm_source=nudge&amp;utm_medium=email&amp;utm_campaign=cart-abandonment&amp;utm_content=[ab]"/);
    assert.ok(email.html.includes(`href="${data.unsubscribe_url}"`));
    assert.match(email.html, /Nudge Shop Ltd, 1 Example Street/);
    assert.doesNotMatch(email.html, /fonts\.googleapis/, 'no third-party font request on open');
    assert.match(email.text, /Unsubscribe: https:\/\/nudge\.shop\.example\/unsubscribe\?token=sample-token$/m);
    assert.match(email.subject, /Nudge Shop|Ada/);
    const followUp = await renderEmail(campaign, data, { step: 1 });
    assert.match(followUp.html, /Still thinking it over\?/);
    assert.ok(campaign.steps[1]!.subjects.some((subject) => subject.id === followUp.variant_id));
  });

  test('a returning customer or a small cart gets free shipping instead', async () => {
    const campaign = await loadCampaign('cart-abandonment', { templatesDir: realTemplates, now });
    const data = sampleEmailData(campaign.definition, { ...campaign.sample, has_ordered_before: true }, now());
    assert.equal(data.offer?.kind, 'free_shipping');
    const email = await renderEmail(campaign, data);
    assert.match(email.html, /Free shipping on this order/);
    assert.match(email.text, /FREESHIP/);
  });

  test('NUDGE_TEMPLATES_DIR selects the folder', async () => {
    const dir = templatesWith(() => {});
    const campaigns = await loadCampaigns({ env: { NUDGE_TEMPLATES_DIR: dir }, now });
    assert.deepEqual([...campaigns.keys()], ['back-in-stock', 'browse-abandonment', 'cart-abandonment', 'price-drop']);
  });
});

describe('definition and template errors name file, line and field', () => {
  test('a bad duration', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('wait: 30m', 'wait: 30 minutes')));
    const error = await loadError(dir);
    const yaml = readFileSync(campaignFile(dir, 'campaign.yaml'), 'utf8');
    assert.equal(error.file, join(dir, 'cart-abandonment', 'campaign.yaml'));
    assert.equal(error.line, lineOf(yaml, 'wait: 30 minutes'));
    assert.equal(error.field, 'wait');
    assert.equal(error.message, `${error.file}:${error.line} wait: expected a duration like "30m" (got "30 minutes")`);
  });

  test('a bad nested value points at its own line', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('  - wait: 24h', '  - wait: tomorrow')));
    const error = await loadError(dir);
    assert.equal(error.field, 'steps[0].wait');
    assert.equal(error.line, lineOf(readFileSync(campaignFile(dir, 'campaign.yaml'), 'utf8'), 'wait: tomorrow'));
  });

  test('an unknown exit event, an unknown key, a missing field', async () => {
    const badEvent = await loadError(templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('order_completed]', 'order_placed]'))));
    assert.equal(badEvent.field, 'exit_events[1]');
    assert.match(badEvent.detail, /checkout_started/);

    const dir = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('wait: 30m', 'wiat: 30m')));
    const typo = await loadError(dir);
    assert.equal(typo.line, lineOf(readFileSync(campaignFile(dir, 'campaign.yaml'), 'utf8'), 'wiat'));
    assert.match(typo.message, /(wait: required|wiat: unknown field)/);
    assert.match(typo.message, /and 1 more/);

    const dir2 = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('name: Cart abandonment\n', '')));
    const missing = await loadError(dir2);
    assert.equal(missing.field, 'name');
    assert.equal(missing.detail, 'required');

    const numeric = await loadError(templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('wait: 30m', 'wait: 30'))));
    assert.equal(numeric.field, 'wait');
    assert.match(numeric.detail, /^expected a duration like "30m"/);

    const noValue = await loadError(templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('kind: percent, value: 10,', 'kind: percent,'))));
    assert.equal(noValue.field, 'offers[0].offer.value');
    assert.equal(noValue.detail, 'required for a percent offer');
  });

  test('a YAML syntax error', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('name: Cart abandonment', 'name: [Cart abandonment')));
    const error = await loadError(dir);
    assert.ok(error.line !== undefined && error.line >= lineOf(readFileSync(campaignFile(dir, 'campaign.yaml'), 'utf8'), 'name: ['), String(error.line));
    assert.match(error.message, /campaign\.yaml:\d+ /);
  });

  test('a Liquid syntax error in a subject line points at the subject', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('{% if offer %} (', '{% if offer %} ({{ offer.label | nosuchfilter }}')));
    const error = await loadError(dir);
    assert.equal(error.field, 'subjects[1].subject');
    assert.equal(error.line, lineOf(readFileSync(campaignFile(dir, 'campaign.yaml'), 'utf8'), 'nosuchfilter'));
    assert.match(error.detail, /undefined filter: nosuchfilter/);
  });

  test('a Liquid syntax error in the MJML template names the template file and line', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'email.mjml.liquid'), (t) => t.replace('<mj-raw>{% endfor %}</mj-raw>', '')));
    const error = await loadError(dir);
    assert.equal(error.file, join(dir, 'cart-abandonment', 'email.mjml.liquid'));
    const source = readFileSync(campaignFile(dir, 'email.mjml.liquid'), 'utf8');
    assert.equal(error.line, lineOf(source, '{% for item'));
    assert.match(error.detail, /not closed/);
  });

  test('Liquid that MJML would drop (a loop tag outside <mj-raw>) is refused', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'email.mjml.liquid'), (t) => t.replace('<mj-raw>{% for item in cart.items %}</mj-raw>', '{% for item in cart.items %}')));
    const error = await loadError(dir);
    assert.equal(error.line, lineOf(readFileSync(campaignFile(dir, 'email.mjml.liquid'), 'utf8'), '{% for item'));
    assert.match(error.detail, /did not survive MJML compilation.*mj-raw/);
  });

  test('a template variable the sample does not have stops loading (strict variables)', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'email.txt.liquid'), (t) => t.replace('Cart total: {{ cart.value', 'Cart total: {{ cart.total')));
    const error = await loadError(dir);
    assert.equal(error.file, join(dir, 'cart-abandonment', 'email.txt.liquid'));
    assert.equal(error.line, lineOf(readFileSync(campaignFile(dir, 'email.txt.liquid'), 'utf8'), 'cart.total'));
    assert.match(error.detail, /undefined variable: cart\.total/);
  });

  test('an MJML error maps back through the layout to the template line', async () => {
    const dir = templatesWith((d) => editFile(campaignFile(d, 'email.mjml.liquid'), (t) => t.replace('<mj-divider', '<mj-dividr')));
    const error = await loadError(dir);
    assert.equal(error.file, join(dir, 'cart-abandonment', 'email.mjml.liquid'));
    assert.equal(error.line, lineOf(readFileSync(campaignFile(dir, 'email.mjml.liquid'), 'utf8'), '<mj-dividr'));
    assert.match(error.detail, /MJML: .*mj-dividr/);
  });

  test('a sample that does not match the data shape, and a folder/id mismatch', async () => {
    const sample = await loadError(templatesWith((d) => editFile(campaignFile(d, 'sample.json'), (t) => t.replace('"quantity": 2', '"quantity": "two"'))));
    assert.match(sample.message, /sample\.json:\d+ cart\.items\[1\]\.quantity: /);

    const id = await loadError(templatesWith((d) => editFile(campaignFile(d, 'campaign.yaml'), (t) => t.replace('id: cart-abandonment', 'id: cart-abandon'))));
    assert.equal(id.field, 'id');
    assert.match(id.detail, /folder name "cart-abandonment"/);
  });

  test('a footer without the unsubscribe link stops loading', async () => {
    const dir = templatesWith((d) => editFile(join(d, '_partials', 'footer.liquid'), (t) => t.replace('<a href="{{ unsubscribe_url }}"', '<a href="{{ shop.url }}"')));
    const error = await loadError(dir);
    assert.match(error.message, /email\.mjml\.liquid renders no unsubscribe link/);
  });
});
