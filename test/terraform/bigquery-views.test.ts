import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { readsOf } from '../../functions/bigquery-sql/sql-view-order.ts';
import { instancesOf, loadTerraform, referencedAddress, type TerraformConfig } from './terraform-config.ts';

// terraform/bigquery.tf creates sql/views as BigQuery views, level by level (BigQuery refuses a
// view over a view that does not exist yet). The levels are lists kept in terraform; this test
// computes them from the SQL, so a new view or a new read cannot be forgotten there.
let config: TerraformConfig;
before(async () => {
  config = await loadTerraform();
});

const views = readdirSync('sql/views')
  .filter((name) => name.endsWith('.sql'))
  .map((name) => ({ name: name.slice(0, -4), sql: readFileSync(`sql/views/${name}`, 'utf8') }));
const viewNames = new Set(views.map((view) => view.name));

/** Level 0 reads tables only; otherwise one above the highest view read. */
function levelsFromSql(): Map<string, number> {
  const levels = new Map<string, number>();
  const levelOf = (name: string, seen: string[] = []): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    if (seen.includes(name)) throw new Error(`cycle through ${name}`);
    const sql = views.find((view) => view.name === name)!.sql;
    const reads = [...readsOf(sql)].filter((read) => read !== name && viewNames.has(read));
    const level = reads.length === 0 ? 0 : 1 + Math.max(...reads.map((read) => levelOf(read, [...seen, name])));
    levels.set(name, level);
    return level;
  };
  for (const view of views) levelOf(view.name);
  return levels;
}

const levelLocal = (level: number) => config.locals[`bigquery_views_level_${level}`];

describe('BigQuery views in terraform', () => {
  test('every sql/views file is in the level its reads put it in, and in no other', () => {
    const expected = levelsFromSql();
    const depth = Math.max(...expected.values()) + 1;
    for (let level = 0; level < depth; level++) {
      const want = [...expected].filter(([, l]) => l === level).map(([name]) => name).sort();
      assert.deepEqual(levelLocal(level), want, `local.bigquery_views_level_${level}`);
    }
    assert.equal(levelLocal(depth), undefined, `no level beyond ${depth - 1}`);
  });

  test('each level is a view resource over its list, after the level below (level 0 after the tables)', () => {
    for (let level = 0; levelLocal(level) !== undefined; level++) {
      const instances = instancesOf(config, 'google_bigquery_table', `views_level_${level}`);
      assert.deepEqual(instances.map((i) => i.body.table_id).sort(), [...(levelLocal(level) as string[])].sort());
      for (const instance of instances) {
        const after = ((instance.body.depends_on ?? []) as string[]).map((d) => referencedAddress(d, 'google_bigquery_table'));
        const below = level === 0 ? ['google_bigquery_table.journey', 'google_bigquery_table.events'] : [`google_bigquery_table.views_level_${level - 1}`];
        for (const address of below) assert.ok(after.includes(address), `${instance.address} must depend on ${address}`);
        const view = (instance.body.view as Record<string, unknown>[] | undefined)?.[0];
        assert.equal(view?.use_legacy_sql, false, `${instance.address} is Standard SQL`);
      }
    }
  });

  test('terraform takes the query after the single AS line and the OPTIONS description of each file', () => {
    for (const view of views) {
      const parts = view.sql.split('\nAS\n');
      assert.equal(parts.length, 2, `${view.name}.sql must have exactly one line "AS" between its header and its query`);
      assert.match(parts[0]!, new RegExp(`CREATE OR REPLACE VIEW \`\\$\\{dataset\\}\\.${view.name}\`\\nOPTIONS \\(description = "[^"]+"\\)$`), `${view.name}.sql header`);
      assert.ok(parts[1]!.trim().endsWith(';'), `${view.name}.sql ends its query with ;`);
    }
  });
});
