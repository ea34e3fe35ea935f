import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Analysts find the warehouse through docs/warehouse.md and sql/README.md: every table and view
 * sql/ declares must have a row there saying what it answers, so a new one cannot ship unlisted.
 */
const root = join(import.meta.dirname, '..', '..');
const namesIn = (folder: string) =>
  readdirSync(join(root, 'sql', folder))
    .filter((name) => name.endsWith('.sql'))
    .map((name) => name.slice(0, -'.sql'.length))
    .sort();
const tableRows = (markdown: string) => new Set([...markdown.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((match) => match[1]));

describe('every warehouse table and view is documented', () => {
  const docsRows = tableRows(readFileSync(join(root, 'docs', 'warehouse.md'), 'utf8'));
  const readmeRows = tableRows(readFileSync(join(root, 'sql', 'README.md'), 'utf8'));
  for (const folder of ['tables', 'views']) {
    for (const name of namesIn(folder)) {
      test(`${folder}/${name}: a row in docs/warehouse.md and in sql/README.md`, () => {
        assert.ok(docsRows.has(name), `docs/warehouse.md has no "| \`${name}\` |" row saying what ${name} answers`);
        assert.ok(readmeRows.has(name), `sql/README.md has no "| \`${name}\` |" row saying what ${name} answers`);
      });
    }
  }
});
