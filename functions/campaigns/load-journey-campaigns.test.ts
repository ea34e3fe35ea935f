import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignError } from '../../pipelines/campaigns/campaign-error.ts';
import { CampaignDefinition, maxWaitByTrigger } from '../../pipelines/campaigns/campaign-definition.ts';
import { loadCampaigns } from './load-campaigns.ts';

// Issue 9's start-up refusals for the journeys beyond the cart, through the loader on copies of
// templates/: an unknown trigger, a wait beyond the trigger's maximum, a template reading a block
// its trigger never provides — each names file, line and field.
const realTemplates = join(import.meta.dirname, '../../templates');
const now = () => new Date('2026-03-01T10:00:00.000Z');
const temps: string[] = [];
after(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function templatesWith(campaign: string, file: string, change: (text: string) => string): { dir: string; path: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-journey-templates-'));
  temps.push(dir);
  cpSync(realTemplates, dir, { recursive: true });
  const path = join(dir, campaign, file);
  const before = readFileSync(path, 'utf8');
  const text = change(before);
  assert.notEqual(text, before, `fixture edit of ${campaign}/${file} changed nothing`);
  writeFileSync(path, text);
  return { dir, path, text };
}
const lineOf = (text: string, needle: string) => {
  assert.ok(text.includes(needle), needle);
  return text.slice(0, text.indexOf(needle)).split('\n').length;
};
async function loadError(dir: string): Promise<CampaignError> {
  try {
    await loadCampaigns({ templatesDir: dir, now });
  } catch (error) {
    assert.ok(error instanceof CampaignError, `expected a CampaignError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loading to fail');
}

describe('the shipped journey campaigns', () => {
  test('all four load with their trigger settings and defaults', async () => {
    const campaigns = await loadCampaigns({ templatesDir: realTemplates, now });
    const browse = campaigns.get('browse-abandonment')!.definition;
    assert.deepEqual(browse.trigger, { kind: 'browse_abandoned', session: '1h', items: 2 });
    assert.deepEqual([browse.wait, browse.resend_after, browse.recommendations], ['9m30s', '24h', 4]);
    assert.deepEqual(campaigns.get('back-in-stock')!.definition.trigger, { kind: 'back_in_stock', lookback: '30d', stock_factor: 3 });
    assert.deepEqual(campaigns.get('price-drop')!.definition.trigger, { kind: 'price_drop', min_drop_percent: 10, lookback: '14d' });
  });
});

describe('journey definitions refused at start-up with file, line and field', () => {
  test('an unknown trigger', async () => {
    const { dir, path, text } = templatesWith('browse-abandonment', 'campaign.yaml', (t) => t.replace('kind: browse_abandoned', 'kind: wishlist_reminder'));
    const error = await loadError(dir);
    assert.equal(error.file, path);
    assert.equal(error.field, 'trigger.kind');
    assert.equal(error.line, lineOf(text, 'kind: wishlist_reminder'));
    assert.match(error.detail, /cart_abandoned, browse_abandoned, back_in_stock or price_drop/);
  });

  test('a setting of another trigger (a browse campaign with stock_factor) is an unknown field', async () => {
    const { dir, text } = templatesWith('browse-abandonment', 'campaign.yaml', (t) => t.replace('  items: 2\n', '  items: 2\n  stock_factor: 3\n'));
    const error = await loadError(dir);
    assert.equal(error.field, 'trigger.stock_factor');
    assert.equal(error.line, lineOf(text, 'stock_factor'));
    assert.equal(error.detail, 'unknown field');
  });

  const waits = [
    { campaign: 'browse-abandonment', from: 'wait: 9m30s', to: 'wait: 25h', max: '24h' },
    { campaign: 'back-in-stock', from: 'wait: 2m', to: 'wait: 1d1h', max: '24h' },
    { campaign: 'price-drop', from: 'wait: 2m', to: 'wait: 2d', max: '24h' },
    { campaign: 'cart-abandonment', from: 'wait: 30m', to: 'wait: 8d', max: '7d' },
  ];
  for (const { campaign, from, to, max } of waits) {
    test(`${campaign}: a first wait beyond ${max}`, async () => {
      const { dir, path, text } = templatesWith(campaign, 'campaign.yaml', (t) => t.replace(from, to));
      const error = await loadError(dir);
      assert.equal(error.file, path);
      assert.equal(error.field, 'wait');
      assert.equal(error.line, lineOf(text, to));
      assert.match(error.detail, new RegExp(`waits at most ${max} before its first email \\(got ${to.slice(6)}\\)`));
    });
  }

  test('a first wait of exactly the maximum loads', async () => {
    const { dir } = templatesWith('browse-abandonment', 'campaign.yaml', (t) => t.replace('wait: 9m30s', 'wait: 24h'));
    const campaigns = await loadCampaigns({ templatesDir: dir, now });
    assert.equal(campaigns.get('browse-abandonment')!.steps[0]!.wait_ms, 24 * 3_600_000);
  });

  test('a follow-up beyond 30 days points at the step', async () => {
    const { dir, text } = templatesWith('cart-abandonment', 'campaign.yaml', (t) => t.replace('  - wait: 24h', '  - wait: 31d'));
    const error = await loadError(dir);
    assert.equal(error.field, 'steps[0].wait');
    assert.equal(error.line, lineOf(text, 'wait: 31d'));
    assert.match(error.detail, /a follow-up waits at most 30d/);
  });

  const bounds = [
    { campaign: 'browse-abandonment', from: 'items: 2', to: 'items: 7', field: 'trigger.items' },
    { campaign: 'browse-abandonment', from: 'session: 1h', to: 'session: an hour', field: 'trigger.session' },
    { campaign: 'back-in-stock', from: 'stock_factor: 3', to: 'stock_factor: 0', field: 'trigger.stock_factor' },
    { campaign: 'price-drop', from: 'min_drop_percent: 10', to: 'min_drop_percent: 100', field: 'trigger.min_drop_percent' },
    { campaign: 'price-drop', from: 'min_drop_percent: 10', to: 'min_drop_percent: 0', field: 'trigger.min_drop_percent' },
    { campaign: 'browse-abandonment', from: 'recommendations: 4', to: 'recommendations: 13', field: 'recommendations' },
    { campaign: 'browse-abandonment', from: 'resend_after: 24h', to: 'resend_after: daily', field: 'resend_after' },
  ];
  for (const { campaign, from, to, field } of bounds) {
    test(`${campaign}: ${to}`, async () => {
      const { dir, text } = templatesWith(campaign, 'campaign.yaml', (t) => t.replace(from, to));
      const error = await loadError(dir);
      assert.equal(error.field, field);
      assert.equal(error.line, lineOf(text, to));
    });
  }
});

describe('a template reading a block its trigger does not provide', () => {
  test('a browse email reading the cart fails at start-up at its line', async () => {
    const { dir, path, text } = templatesWith('browse-abandonment', 'email.txt.liquid', (t) => t.replace('Still have your eye on', 'Your cart {{ cart.id }}. Still have your eye on'));
    const error = await loadError(dir);
    assert.equal(error.file, path);
    assert.equal(error.line, lineOf(text, 'cart.id'));
    assert.match(error.detail, /reads "cart", which this campaign.s emails are never given/);
  });

  test('a back-in-stock email reading the browse items fails in its MJML template', async () => {
    const { dir, path } = templatesWith('back-in-stock', 'email.mjml.liquid', (t) => t.replace('{{ item.name }}', '{{ items[0].name }}'));
    const error = await loadError(dir);
    assert.equal(error.file, path);
    assert.match(error.detail, /reads "items", which this campaign.s emails are never given/);
  });

  test('a sample holding a block the trigger never gives is refused naming the sample line', async () => {
    const { dir, path, text } = templatesWith('browse-abandonment', 'sample.json', (t) => t.replace('"has_ordered_before": false,', '"has_ordered_before": false,\n  "item": { "product_id": "x", "name": "X", "price": 1, "currency": "EUR", "url": "https://shop.example/x", "available": true },'));
    const error = await loadError(dir);
    assert.equal(error.file, path);
    assert.equal(error.field, 'item');
    assert.equal(error.line, lineOf(text, '"item"'));
    assert.match(error.detail, /a browse_abandoned campaign is never given "item" \(it provides: items, recommendations\)/);
  });

  test('a sample missing a block its trigger gives is refused naming the block', async () => {
    const { dir, path } = templatesWith('price-drop', 'sample.json', (t) => {
      const sample = JSON.parse(t) as Record<string, unknown>;
      delete sample.recommendations;
      return JSON.stringify(sample, null, 2);
    });
    const error = await loadError(dir);
    assert.equal(error.file, path);
    assert.equal(error.field, 'recommendations');
    assert.match(error.detail, /a price_drop campaign's sample needs "recommendations"/);
  });
});

describe('CampaignDefinition trigger defaults', () => {
  const base = { id: 'x', name: 'X', exit_events: ['order_completed'], subjects: [{ id: 'a', subject: 's' }], sender: { name: 'S', email: 's@example.com' }, postal_address: 'A' };
  const cases = [
    { trigger: { kind: 'browse_abandoned' }, expected: { kind: 'browse_abandoned', session: '1h', items: 2 } },
    { trigger: { kind: 'back_in_stock' }, expected: { kind: 'back_in_stock', lookback: '30d', stock_factor: 3 } },
    { trigger: { kind: 'price_drop' }, expected: { kind: 'price_drop', min_drop_percent: 10, lookback: '14d' } },
    { trigger: { kind: 'cart_abandoned' }, expected: { kind: 'cart_abandoned' } },
  ];
  for (const { trigger, expected } of cases) {
    test(`${trigger.kind}: defaults, max first wait ${maxWaitByTrigger[trigger.kind as keyof typeof maxWaitByTrigger]}`, () => {
      const parsed = CampaignDefinition.parse({ ...base, trigger, wait: '10m' });
      assert.deepEqual(parsed.trigger, expected);
      assert.equal(parsed.recommendations, 0);
      assert.equal(parsed.resend_after, undefined);
    });
  }
});
