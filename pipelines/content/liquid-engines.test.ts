import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLiquidEngines } from './liquid-engines.ts';

test('a partial parsed by an async render serves later sync renders, and the reverse', async () => {
  // liquidjs's own cache kept the async parse's promise, so a later renderSync failed with "templates is not iterable".
  const engines = createLiquidEngines({ footer: 'bye {{ name }}' });
  const template = engines.text.parse("hi {{ name }}, {% render 'footer', name: name %}");
  assert.equal(await engines.text.render(template, { name: 'Ada' }), 'hi Ada, bye Ada');
  assert.equal(engines.text.renderSync(template, { name: 'Bo' }), 'hi Bo, bye Bo');
  const html = engines.html.parse("{% render 'footer', name: name %}");
  assert.equal(engines.html.renderSync(html, { name: '<b>' }), 'bye &lt;b&gt;');
  assert.equal(await engines.html.render(html, { name: 'Cy' }), 'bye Cy');
});

test('a partial that fails to load is not cached: the next render reports it again', async () => {
  const engines = createLiquidEngines({});
  const template = engines.text.parse("{% render 'missing' %}");
  await assert.rejects(engines.text.render(template, {}), /missing/);
  assert.throws(() => engines.text.renderSync(template, {}), /missing/);
});
