import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runPreviewAllCommand, runPreviewCommand } from './preview-command.ts';

const templatesDir = join(import.meta.dirname, '../../../templates');
const outDir = mkdtempSync(join(tmpdir(), 'nudge-preview-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

function capture(): PassThrough & { text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

test('nudge preview renders the sample to HTML and text and prints the subject and paths', async () => {
  const out = capture();
  const code = await runPreviewCommand('cart-abandonment', { templatesDir, outDir, env: {}, now: () => new Date('2026-03-01T10:00:00.000Z') }, out);
  assert.equal(code, 0);
  const html = readFileSync(join(outDir, 'cart-abandonment.html'), 'utf8');
  const text = readFileSync(join(outDir, 'cart-abandonment.txt'), 'utf8');
  assert.match(html, /Trail Runner 2 Shoes/);
  assert.match(html, /Merino Hiking Socks/);
  assert.match(text, /WELCOME10/);
  assert.match(readFileSync(join(outDir, 'cart-abandonment.step1.html'), 'utf8'), /Still thinking it over\?/);
  const printed = out.text();
  assert.match(printed, /^subject \[(a|b)\]: .+(Ada|Nudge Shop)/m);
  assert.ok(printed.includes(join(outDir, 'cart-abandonment.html')), printed);
  assert.ok(printed.includes(join(outDir, 'cart-abandonment.txt')), printed);
  assert.match(printed, /offer: 10% off, code WELCOME10, until 2026-03-03T10:00:00\.000Z/);
});

test('a browse preview shows its unique offer code, signed for a fixed preview id', async () => {
  const out = capture();
  const now = () => new Date('2026-03-01T10:00:30.000Z');
  assert.equal(await runPreviewCommand('browse-abandonment', { templatesDir, outDir, env: {}, now }, out), 0);
  const printed = out.text();
  const shown = /^offer: 10% off, code (LOOK10-[2-9A-HJ-NP-Z]{16}) \(unique: each email gets its own; this preview one is refused at checkout\), until 2026-03-02T10:00:00\.000Z$/m.exec(printed);
  assert.ok(shown, printed);
  assert.ok(readFileSync(join(outDir, 'browse-abandonment.txt'), 'utf8').includes(`use code ${shown[1]} at checkout`));
  assert.ok(readFileSync(join(outDir, 'browse-abandonment.html'), 'utf8').includes(shown[1]!));
  const again = capture();
  await runPreviewCommand('browse-abandonment', { templatesDir, outDir, env: {}, now }, again);
  assert.ok(again.text().includes(shown[1]!), 'the same code each preview (deterministic)');
});

test('an unknown campaign is an error with the campaigns that exist', async () => {
  const err = capture();
  const code = await runPreviewCommand('nope', { templatesDir, outDir, env: {}, err }, capture());
  assert.equal(code, 1);
  assert.match(err.text(), /nudge: .*nope no such campaign \(campaigns: back-in-stock, browse-abandonment, cart-abandonment, price-drop\)/);
});

// Issue 9: each journey beyond the cart previews with its own sample (what its trigger provides).
const now = () => new Date('2026-03-01T10:00:00.000Z');
const journeys = [
  { campaign: 'browse-abandonment', subject: /Storm Rain Jacket is still here, Grace/, text: [/Storm Rain Jacket: €129\.00/, /use code LOOK10-[2-9A-HJ-NP-Z]{16} at checkout\. Ends Mon 2 Mar, 10:00 UTC/, /You might also like\n- Trail Shell Jacket/] },
  { campaign: 'back-in-stock', subject: /Trail Runner 2 Shoes/, text: [/Trail Runner 2 Shoes is back in stock/, /More like this\n- /] },
  { campaign: 'price-drop', subject: /Storm Rain Jacket/, text: [/Storm Rain Jacket: was €129\.00, now €99\.00/, /More like this\n- /] },
];
for (const journey of journeys) {
  test(`nudge preview ${journey.campaign} renders its sample`, async () => {
    const out = capture();
    assert.equal(await runPreviewCommand(journey.campaign, { templatesDir, outDir, env: {}, now }, out), 0);
    assert.match(out.text(), new RegExp(`^subject \\[(a|b)\\]: .*${journey.subject.source}`, 'm'));
    const text = readFileSync(join(outDir, `${journey.campaign}.txt`), 'utf8');
    for (const pattern of journey.text) assert.match(text, pattern);
    assert.match(readFileSync(join(outDir, `${journey.campaign}.html`), 'utf8'), /<html/);
  });
}

test('nudge preview --all renders every campaign folder', async () => {
  const all = mkdtempSync(join(tmpdir(), 'nudge-preview-all-'));
  try {
    const out = capture();
    assert.equal(await runPreviewAllCommand({ templatesDir, outDir: all, env: {}, now }, out), 0);
    for (const campaign of ['back-in-stock', 'browse-abandonment', 'cart-abandonment', 'price-drop']) {
      assert.ok(readFileSync(join(all, `${campaign}.html`), 'utf8').length > 0, campaign);
      assert.match(out.text(), new RegExp(`\\(${campaign}\\), sample sample[.]json`));
    }
  } finally {
    rmSync(all, { recursive: true, force: true });
  }
});

test('nudge preview --all on a missing templates folder is an error', async () => {
  const err = capture();
  assert.equal(await runPreviewAllCommand({ templatesDir: join(outDir, 'missing'), outDir, env: {}, err }, capture()), 1);
  assert.match(err.text(), /templates folder not found/);
});
