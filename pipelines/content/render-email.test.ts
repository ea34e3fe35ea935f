import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mjml2html from 'mjml';
import { CampaignError } from '../campaigns/campaign-error.ts';
import { compileCampaign, prepareSharedTemplates } from './compile-campaign.ts';
import type { CampaignSources } from './compile-campaign.ts';
import type { EmailData } from './email-data.ts';
import type { CompileMjml, SourceFile } from './loaded-campaign.ts';
import { createRenderer, renderEmail } from './render-email.ts';

// A small campaign in memory: layout + partial + MJML/text templates, compiled by the real mjml.
const layout = `<mjml>
  <mj-body>
    <!-- nudge:body -->
    <mj-section><mj-column><mj-text>{% render 'footer', unsubscribe_url: unsubscribe_url, postal_address: postal_address %}</mj-text></mj-column></mj-section>
  </mj-body>
</mjml>`;
const footer = '<a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ postal_address }}';
const mjml = `<mj-section><mj-column><mj-text>Hi {{ person.first_name | default: 'there' }}</mj-text></mj-column></mj-section>
<mj-raw>{% for item in cart.items %}</mj-raw>
<mj-section><mj-column>
  <mj-image src="{{ item.image_url }}" alt="{{ item.name }}" href="{{ item.url }}" />
  <mj-text><span class="name">{{ item.name }}</span> x{{ item.quantity }} {{ item.price | money: cart.currency }}</mj-text>
</mj-column></mj-section>
<mj-raw>{% endfor %}</mj-raw>
<mj-section><mj-column><mj-button href="{{ cart.url }}">Back to cart</mj-button></mj-column></mj-section>`;
const text = `{% for item in cart.items %}{{ item.name }}
{% endfor %}{{ cart.url }}
Unsubscribe: {{ unsubscribe_url }} {{ postal_address }}`;
const definition = `id: demo
name: Demo
trigger: { kind: cart_abandoned }
wait: 10s
exit_events: [order_completed]
steps:
  - wait: 1h
subjects:
  - id: a
    subject: "A for {{ person.email }}"
  - id: b
    subject: "B for {{ person.email }}"
sender: { name: Shop, email: shop@example.com }
postal_address: 1 Main St, Springfield
`;
const data: EmailData = {
  person: { id: 'p-1', email: 'ada@example.com', first_name: 'Ada' },
  cart: {
    items: [
      { product_id: 'x', name: 'Shoe <script>alert(1)</script> & "Co"', price: 10, quantity: 2, image_url: 'https://img.example/x.png', url: 'https://shop.example/x' },
      { product_id: 'y', name: 'Sock', price: 2.5, quantity: 1, url: 'https://shop.example/y' },
    ],
    value: 22.5,
    currency: 'USD',
    url: 'https://shop.example/cart',
  },
  offer: null,
  unsubscribe_url: 'https://nudge.example/u?token=abc',
  shop: { name: 'Shop', url: 'https://shop.example' },
};
const sample = JSON.stringify({ ...data, cart: { ...data.cart!, items: [data.cart!.items[1]] } });

function sources(overrides: Record<string, string> = {}): CampaignSources {
  const files = { 'campaign.yaml': definition, 'email.mjml.liquid': mjml, 'email.txt.liquid': text, 'sample.json': sample, ...overrides };
  return { folder: 'demo', dir: 'mem/demo', files: new Map(Object.entries(files).map(([name, text]) => [name, { file: `mem/demo/${name}`, text }])) };
}
const source = (file: string, text: string): SourceFile => ({ file, text });
const shared = () =>
  prepareSharedTemplates({ layouts: new Map([['base', source('mem/_layouts/base.mjml', layout)]]), partials: new Map([['footer', source('mem/_partials/footer.liquid', footer)]]) });

function countingMjml(): CompileMjml & { calls: number } {
  const compile = Object.assign(
    async (input: string) => {
      compile.calls++;
      const result = await mjml2html(input, { validationLevel: 'soft', fonts: {} });
      return { html: result.html, errors: result.errors.map((e) => ({ line: e.line, message: e.message })) };
    },
    { calls: 0 },
  );
  return compile;
}
const now = () => new Date('2026-03-01T10:00:00.000Z');
const load = (overrides?: Record<string, string>, compileMjml: CompileMjml = countingMjml()) => compileCampaign(sources(overrides), shared(), { compileMjml, now });

describe('renderEmail', () => {
  test('HTML output is escaped, the text part is not', async () => {
    const email = await renderEmail(await load(), data);
    assert.match(email.html, /Shoe &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &#34;Co&#34;/);
    assert.doesNotMatch(email.html, /<script>alert/);
    assert.match(email.text, /^Shoe <script>alert\(1\)<\/script> & "Co"$/m);
  });

  test('renders every cart item with its image and link, and the layout footer', async () => {
    const email = await renderEmail(await load(), data);
    assert.equal(email.html.match(/class="name"/g)?.length, 2);
    assert.match(email.html, /src="https:\/\/img\.example\/x\.png"/);
    assert.match(email.html, /Sock<\/span> x1 \$2\.50/);
    assert.match(email.html, /1 Main St, Springfield/, 'postal address from the definition');
    const overridden = await renderEmail(await load(), { ...data, postal_address: 'PO Box 9' });
    assert.match(overridden.html, /PO Box 9/);
  });

  test('every link carries the campaign tracking parameters except the unsubscribe link', async () => {
    const email = await renderEmail(await load(), data);
    const hrefs = [...email.html.matchAll(/<a\b[^>]*href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    assert.ok(hrefs.length >= 4, hrefs.join('\n'));
    for (const href of hrefs) {
      if (href === data.unsubscribe_url) continue;
      const url = new URL(href);
      assert.equal(url.searchParams.get('utm_source'), 'nudge', href);
      assert.equal(url.searchParams.get('utm_medium'), 'email', href);
      assert.equal(url.searchParams.get('utm_campaign'), 'demo', href);
      assert.equal(url.searchParams.get('utm_content'), email.variant_id, href);
    }
    assert.ok(hrefs.includes(data.unsubscribe_url));
    assert.match(email.text, /^https:\/\/shop\.example\/cart\?utm_source=nudge&utm_medium=email&utm_campaign=demo&utm_content=[ab]$/m);
  });

  test('with first-party tracking, every link but unsubscribe is a click redirect of its utm-tagged URL, and the HTML has the pixel', async () => {
    const targets: string[] = [];
    const tracking = {
      clickUrl: (url: string, index: number) => {
        targets[index] = url;
        return `https://t.example/c/${index}`;
      },
      openPixelUrl: 'https://t.example/o/px.gif',
    };
    const email = await renderEmail(await load(), data, { tracking });
    const hrefs = [...email.html.matchAll(/<a\b[^>]*href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    assert.ok(hrefs.includes(data.unsubscribe_url), 'unsubscribe stays direct');
    const tracked = hrefs.filter((href) => href !== data.unsubscribe_url);
    assert.ok(tracked.length >= 3);
    assert.deepEqual(tracked, tracked.map((_, i) => `https://t.example/c/${i}`), 'numbered in document order');
    for (const target of targets) assert.equal(new URL(target).searchParams.get('utm_campaign'), 'demo', target);
    assert.match(email.html, /<img src="https:\/\/t\.example\/o\/px\.gif" width="1" height="1" alt=""><\/body>/);
    assert.match(email.text, /^https:\/\/t\.example\/c\/\d+$/m, 'the text part cart link is tracked');
    assert.doesNotMatch(email.text, /utm_source/, 'no untracked shop link left in the text');
  });

  test('the subject variant is deterministic per person and matches the subject', async () => {
    const campaign = await load();
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const person = { ...data.person, id: `p-${i}` };
      const first = await renderEmail(campaign, { ...data, person });
      const again = await renderEmail(campaign, { ...data, person });
      assert.equal(again.variant_id, first.variant_id);
      assert.equal(first.subject, `${first.variant_id.toUpperCase()} for ada@example.com`);
      seen.add(first.variant_id);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  test('MJML is compiled once per template at load, never per render', async () => {
    const compileMjml = countingMjml();
    const campaign = await load(undefined, compileMjml);
    assert.equal(compileMjml.calls, 1, 'two steps share the email template: one compile');
    assert.equal(campaign.steps[0]!.template, campaign.steps[1]!.template);
    const render = createRenderer(campaign);
    for (let i = 0; i < 5; i++) await render(data, { step: i % 2 });
    assert.equal(compileMjml.calls, 1);
    await assert.rejects(render(data, { step: 2 }), /no step 2/);
  });

  test('a missing variable is an error, not a blank (strict variables), named by file and line', async () => {
    const broken = mjml.replace('{{ item.quantity }}', '{{ item.qty }}');
    await assert.rejects(load({ 'email.mjml.liquid': broken }), (error: unknown) => {
      assert.ok(error instanceof CampaignError);
      assert.equal(error.file, 'mem/demo/email.mjml.liquid');
      assert.equal(error.line, 5);
      assert.match(error.message, /^mem\/demo\/email\.mjml\.liquid:5 undefined variable: item\.qty/);
      return true;
    });
  });

  test('a campaign whose output lacks the unsubscribe link does not load', async () => {
    await assert.rejects(load({ 'email.txt.liquid': '{{ cart.url }} {{ postal_address }}' }), /email\.txt\.liquid renders no unsubscribe link/);
  });
});
