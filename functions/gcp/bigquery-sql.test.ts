import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { renderBigQuerySql } from './bigquery-sql.ts';

const ref = { projectId: 'shop-prod', dataset: 'nudge_eu' };
const render = (sql: string) => renderBigQuerySql(sql, ref);

describe('renderBigQuerySql', () => {
  const cases: [string, string, string][] = [
    ['${dataset} inside backticks becomes one project-qualified path', 'SELECT * FROM `${dataset}.events`', 'SELECT * FROM `shop-prod.nudge_eu.events`'],
    ['a bare ${dataset} becomes `project`.`dataset`', 'SELECT * FROM ${dataset}.events', 'SELECT * FROM `shop-prod`.`nudge_eu`.events'],
    ['nudge.x names the configured dataset', 'SELECT * FROM nudge.events e JOIN nudge.decisions d ON TRUE', 'SELECT * FROM `shop-prod`.`nudge_eu`.events e JOIN `shop-prod`.`nudge_eu`.decisions d ON TRUE'],
    ['`nudge.x` in backticks too', 'SELECT * FROM `nudge.events`', 'SELECT * FROM `shop-prod.nudge_eu.events`'],
    ['NUDGE.x, any case', 'select 1 from NUDGE.events', 'select 1 from `shop-prod`.`nudge_eu`.events'],
    ['a bare table is left for the job\'s default dataset', 'SELECT COUNT(*) FROM events', 'SELECT COUNT(*) FROM events'],
    ['a project-qualified path is left alone', 'SELECT * FROM `other-project.nudge.events`', 'SELECT * FROM `other-project.nudge.events`'],
    ['nudge.x as a column path (alias nudge) is left alone', 'SELECT nudge.kind FROM events AS nudge', 'SELECT nudge.kind FROM events AS nudge'],
    ['the FROM of IS [NOT] DISTINCT FROM is no table context', 'SELECT e.x IS DISTINCT FROM nudge.x, e.y IS NOT DISTINCT FROM nudge.y FROM events AS nudge', 'SELECT e.x IS DISTINCT FROM nudge.x, e.y IS NOT DISTINCT FROM nudge.y FROM events AS nudge'],
    ['strings and comments are left alone', "SELECT '${dataset}.events', 'nudge.events' -- FROM nudge.events\nFROM events", "SELECT '${dataset}.events', 'nudge.events' -- FROM nudge.events\nFROM events"],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(render(input).sql, expected));
  }

  test('lists the @params used, once each, in order; @@system variables are not params', () => {
    const rendered = render('SELECT @b, @a, @b, @@script.job_id FROM events WHERE x = "@c"');
    assert.deepEqual(rendered.params, ['b', 'a']);
  });

  test('counts statements: one (with or without a trailing ;), or a script', () => {
    assert.equal(render('SELECT 1').statements, 1);
    assert.equal(render('SELECT 1;\n').statements, 1);
    assert.equal(render("SELECT ';'; -- ;\nSELECT 2").statements, 2);
    assert.equal(render('CREATE TEMP TABLE t AS SELECT 1 AS n; SELECT n FROM t;').statements, 2);
  });

  test('refuses a placeholder it does not know instead of sending it to BigQuery', () => {
    assert.throws(() => render('SELECT * FROM `${project}.x`'), /\$\{project\}/);
    assert.throws(() => render('SELECT * FROM ${project}.x'), /\$\{project\}/);
  });

  test('the analysts\' query in sql/queries reads the configured dataset', () => {
    const sql = readFileSync(new URL('../../sql/queries/daily_events_by_kind.sql', import.meta.url), 'utf8');
    const rendered = render(sql);
    assert.match(rendered.sql, /FROM `shop-prod\.nudge_eu\.events`/);
    assert.doesNotMatch(rendered.sql, /`nudge\.events`/);
  });
});
