import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCampaigns } from './load-campaigns.ts';

// docs/journeys.md: "a browse template reading `cart` stops start-up naming the file and line".
// Only the branches the sample takes are rendered at start-up, so `cart` behind an `if` the sample
// does not enter (a shopper without a first name) passes start-up and fails at send time.
test('a browse template reading cart in a branch the sample skips still stops start-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-hostile-templates-'));
  try {
    cpSync('templates', dir, { recursive: true });
    appendFileSync(join(dir, 'browse-abandonment', 'email.txt.liquid'), '{% if person.first_name == nil %}Your cart: {{ cart.value }}{% endif %}\n');
    await assert.rejects(loadCampaigns({ templatesDir: dir }), /email\.txt\.liquid:\d+.*cart/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
