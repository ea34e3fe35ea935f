import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addTrackingToHtml, addTrackingToText, trackingParams } from './track-links.ts';

const params = trackingParams('cart-abandonment', 'b');
const skip = new Set(['https://nudge.example/unsubscribe?token=t&x=1']);

test('every http(s) anchor gets utm parameters; existing query and escaping survive', () => {
  const html = [
    '<a href="https://shop.example/cart?restore=1&amp;lang=en">cart</a>',
    "<a class='x' href='https://shop.example/p/1'>p</a>",
    '<link href="https://fonts.example/css" rel="stylesheet">',
    '<a href="mailto:help@shop.example">mail</a>',
    '<a href="https://shop.example/?utm_source=newsletter">explicit</a>',
    '<a href="https://nudge.example/unsubscribe?token=t&amp;x=1">unsubscribe</a>',
  ].join('\n');
  const out = addTrackingToHtml(html, params, skip).split('\n');
  assert.equal(out[0], '<a href="https://shop.example/cart?restore=1&amp;lang=en&amp;utm_source=nudge&amp;utm_medium=email&amp;utm_campaign=cart-abandonment&amp;utm_content=b">cart</a>');
  assert.equal(out[1], "<a class='x' href='https://shop.example/p/1?utm_source=nudge&amp;utm_medium=email&amp;utm_campaign=cart-abandonment&amp;utm_content=b'>p</a>");
  assert.equal(out[2], '<link href="https://fonts.example/css" rel="stylesheet">', 'stylesheets are not links');
  assert.equal(out[3], '<a href="mailto:help@shop.example">mail</a>');
  assert.match(out[4]!, /utm_source=newsletter&amp;utm_medium=email/, 'an explicit utm value wins');
  assert.doesNotMatch(out[4]!, /utm_source=nudge/);
  assert.equal(out[5], '<a href="https://nudge.example/unsubscribe?token=t&amp;x=1">unsubscribe</a>', 'the signed unsubscribe link is left alone');
});

test('bare URLs in text get utm parameters; sentence punctuation stays outside', () => {
  const text = 'Your cart: https://shop.example/cart?r=1.\nUnsubscribe: https://nudge.example/unsubscribe?token=t&x=1\n(see https://shop.example/p)';
  assert.equal(
    addTrackingToText(text, params, skip),
    'Your cart: https://shop.example/cart?r=1&utm_source=nudge&utm_medium=email&utm_campaign=cart-abandonment&utm_content=b.\n' +
      'Unsubscribe: https://nudge.example/unsubscribe?token=t&x=1\n' +
      '(see https://shop.example/p?utm_source=nudge&utm_medium=email&utm_campaign=cart-abandonment&utm_content=b)',
  );
});

test('the anchor pass finds exactly the links of a plain case-insensitive regex pass', () => {
  // The straightforward implementation the indexOf + sticky scan replaced, kept as the oracle.
  const decode = (v: string) => v.replace(/&(?:amp|lt|gt|quot|apos|#34|#39);/g, (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'", '&apos;': "'" })[e]!);
  const encode = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const reference = (html: string) =>
    html.replace(/(<(?:a|area)\b[^>]*?\shref\s*=\s*)(["'])(.*?)\2/gis, (whole, prefix: string, quote: string, value: string) => {
      const href = decode(value);
      if (skip.has(href) || !/^https?:\/\//i.test(href)) return whole;
      let url: URL;
      try {
        url = new URL(href);
      } catch {
        return whole;
      }
      for (const [name, v] of Object.entries(params)) if (!url.searchParams.has(name)) url.searchParams.append(name, v);
      return `${prefix}${quote}${encode(url.toString())}${quote}`;
    });
  const piece = fc.constantFrom(
    '<a href="https://shop.example/p/1">', '<A HREF="https://shop.example/P">', "<area shape=rect href='http://x.example/?q=1&amp;r=2'>",
    '<AREA\nhref="https://y.example/">', '<abbr href="https://no.example/">', '<a\thref = "https://t.example/a b">', '<a title="x>y" href="https://z.example">',
    '<a href="mailto:x@y.example">', '<a href="https://nudge.example/unsubscribe?token=t&amp;x=1">', '<link href="https://css.example/">', '<a name="top">',
    '<a href="https://shop.example/?utm_source=mail">', '<a href=\'https://q.example/"quoted"\'>', '<a href="https://[bad">', '<a', 'href="https://lone.example/"', '</a>', 'text ', '<td>', '<', '>', '"', "'", 'é', '\n',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
      const html = pieces.join('');
      assert.equal(addTrackingToHtml(html, params, skip), reference(html));
    }),
    { numRuns: 2000 },
  );
});
