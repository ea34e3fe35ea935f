import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFirstPartyTracking, type LinkTracking } from './first-party-tracking.ts';
import { trackingParams } from './track-links.ts';

const params = trackingParams('cart-abandonment', 'a');
const unsubscribe = 'https://nudge.example/unsubscribe?token=t&x=1';
const skip = new Set([unsubscribe]);
// A stand-in for the signed redirect: shows what each token would carry.
const tracking: LinkTracking = {
  clickUrl: (url, index) => `https://t.example/c/${index}?to=${encodeURIComponent(url)}`,
  openPixelUrl: 'https://t.example/o/tok.gif',
};
const utm = 'utm_source=nudge&utm_medium=email&utm_campaign=cart-abandonment&utm_content=a';

test('each http(s) link of the HTML becomes a click redirect carrying its utm-tagged URL and position', () => {
  const html = [
    '<html><body>',
    '<a href="https://shop.example/cart?r=1&amp;l=en">cart</a>',
    '<a href="mailto:help@shop.example">mail</a>',
    '<a href="tel:+441234">call</a>',
    '<a href="#top">top</a>',
    `<a href="${unsubscribe.replace('&', '&amp;')}">unsubscribe</a>`,
    "<AREA href='http://shop.example/p/2'>",
    '<link href="https://fonts.example/css" rel="stylesheet">',
    '</body></html>',
  ].join('\n');
  const out = addFirstPartyTracking({ html, text: '' }, { params, skipUrls: skip, tracking }).html.split('\n');
  assert.equal(out[1], `<a href="https://t.example/c/0?to=${encodeURIComponent(`https://shop.example/cart?r=1&l=en&${utm}`)}">cart</a>`);
  assert.equal(out[2], '<a href="mailto:help@shop.example">mail</a>');
  assert.equal(out[3], '<a href="tel:+441234">call</a>');
  assert.equal(out[4], '<a href="#top">top</a>');
  assert.equal(out[5], `<a href="${unsubscribe.replace('&', '&amp;')}">unsubscribe</a>`, 'the unsubscribe link stays direct');
  assert.equal(out[6], `<AREA href='https://t.example/c/1?to=${encodeURIComponent(`http://shop.example/p/2?${utm}`)}'>`);
  assert.equal(out[7], '<link href="https://fonts.example/css" rel="stylesheet">');
});

test('the open pixel goes just before </body>, whatever its case; appended when there is none', () => {
  const pixel = '<img src="https://t.example/o/tok.gif" width="1" height="1" alt="">';
  assert.equal(addFirstPartyTracking({ html: '<body><p>x</p></BODY></html>', text: '' }, { params, skipUrls: skip, tracking }).html, `<body><p>x</p>${pixel}</BODY></html>`);
  assert.equal(addFirstPartyTracking({ html: '<p>x</p>', text: '' }, { params, skipUrls: skip, tracking }).html, `<p>x</p>${pixel}`);
  const escaped = addFirstPartyTracking({ html: '<body></body>', text: '' }, { params, skipUrls: skip, tracking: { ...tracking, openPixelUrl: 'https://t.example/o/"x".gif' } }).html;
  assert.equal(escaped, '<body><img src="https://t.example/o/&quot;x&quot;.gif" width="1" height="1" alt=""></body>', 'attribute-encoded');
});

test('bare URLs of the text part are tracked too, numbered after the HTML links; punctuation and unsubscribe stay', () => {
  const html = '<a href="https://shop.example/a">a</a><a href="https://shop.example/b">b</a>';
  const text = `Cart: https://shop.example/cart.\nStop: ${unsubscribe}\n`;
  const out = addFirstPartyTracking({ html, text }, { params, skipUrls: skip, tracking }).text;
  assert.equal(out, `Cart: https://t.example/c/2?to=${encodeURIComponent(`https://shop.example/cart?${utm}`)}.\nStop: ${unsubscribe}\n`);
});

test('a link the signer refuses is left utm-tagged rather than failing the email', () => {
  const refusing: LinkTracking = { ...tracking, clickUrl: () => { throw new Error('not signable'); } };
  const out = addFirstPartyTracking({ html: '<a href="https://shop.example/x">x</a>', text: 'https://shop.example/y' }, { params, skipUrls: skip, tracking: refusing });
  assert.match(out.html, new RegExp(`^<a href="https://shop.example/x\\?${utm.replace(/&/g, '&amp;')}">x</a>`));
  assert.equal(out.text, `https://shop.example/y?${utm}`);
});
