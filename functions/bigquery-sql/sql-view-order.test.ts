import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { orderViewsByDependencies, readsOf } from './sql-view-order.ts';

const view = (name: string, ...reads: string[]) => ({
  name,
  sql: `CREATE OR REPLACE VIEW \`\${dataset}.${name}\` AS SELECT 1 FROM ${reads.map((r) => `\`\${dataset}.${r}\``).join(', ') || 'x'}`,
});

describe('orderViewsByDependencies', () => {
  test('a view comes after every view it reads, whatever the names; tables are ignored', () => {
    const order = orderViewsByDependencies([
      view('attributed_orders', 'person_surviving', 'attribution_settings', 'events'),
      view('person_surviving', 'person_identities_deduped', 'decisions'),
      view('attribution_settings'),
      view('person_identities_deduped', 'person_identities'),
      view('a_report', 'attributed_orders'),
    ]).map((v) => v.name);
    assert.deepEqual(order, ['attribution_settings', 'person_identities_deduped', 'person_surviving', 'attributed_orders', 'a_report']);
  });

  test('independent views keep name order', () => {
    assert.deepEqual(orderViewsByDependencies([view('b'), view('c'), view('a')]).map((v) => v.name), ['a', 'b', 'c']);
  });

  test('a cycle is refused, naming it', () => {
    assert.throws(() => orderViewsByDependencies([view('a', 'b'), view('b', 'c'), view('c', 'a')]), /cycle: a → b → c → a/);
  });

  test('readsOf finds `${dataset}.name` references, spaces in the placeholder allowed', () => {
    assert.deepEqual([...readsOf('SELECT * FROM `${dataset}.events` JOIN `${ dataset }.decisions_deduped` d')], ['events', 'decisions_deduped']);
  });

  test('the real sql/views: each reads only tables or views that exist, and comes after the views it reads', () => {
    const tables = new Set(readdirSync('sql/tables').filter((n) => n.endsWith('.sql')).map((n) => n.slice(0, -4)));
    const views = readdirSync('sql/views')
      .filter((n) => n.endsWith('.sql'))
      .map((n) => ({ name: n.slice(0, -4), sql: readFileSync(`sql/views/${n}`, 'utf8') }));
    const order = orderViewsByDependencies(views).map((v) => v.name);
    for (const v of views) {
      for (const read of readsOf(v.sql)) {
        if (read === v.name) continue;
        assert.ok(tables.has(read) || order.includes(read), `${v.name} reads ${read}, which is neither a table nor a view`);
        if (!tables.has(read)) assert.ok(order.indexOf(read) < order.indexOf(v.name), `${read} must come before ${v.name}`);
      }
    }
  });
});
