import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Html, escapeHtml, html, htmlPageResponse } from './html-page.ts';

describe('html pages', () => {
  test('interpolated values are escaped by default; Html and arrays of Html are inserted as they are', () => {
    const subject = `<script>alert("x")</script> & 'more'`;
    const rows = ['a<b', 'c'].map((cell) => html`<td>${cell}</td>`);
    const out = html`<p title="${subject}">${subject}</p><tr>${rows}</tr>${null}${undefined}${false}${0}`;
    assert.ok(out instanceof Html);
    assert.equal(
      out.value,
      '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;more&#39;">&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;more&#39;</p><tr><td>a&#60;b</td><td>c</td></tr>0',
    );
    assert.equal(escapeHtml('"\'<>&'), '&#34;&#39;&#60;&#62;&#38;');
  });

  test('a page response is HTML with a script-free CSP, no caching and no referrer; the title is escaped', () => {
    const response = htmlPageResponse(404, { title: 'a <b> title', body: html`<h1>${'x<y'}</h1>`, headers: { 'retry-after': '5' } });
    assert.equal(response.status, 404);
    assert.equal(response.headers!['content-type'], 'text/html; charset=utf-8');
    assert.match(response.headers!['content-security-policy']!, /^default-src 'none';/);
    assert.doesNotMatch(response.headers!['content-security-policy']!, /script-src/);
    assert.equal(response.headers!['cache-control'], 'no-store');
    assert.equal(response.headers!['referrer-policy'], 'no-referrer');
    assert.equal(response.headers!['retry-after'], '5');
    const body = String(response.body);
    assert.match(body, /^<!doctype html>/);
    assert.match(body, /<title>a &#60;b&#62; title<\/title>/);
    assert.match(body, /<h1>x&#60;y<\/h1>/);
  });
});
