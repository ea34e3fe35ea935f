import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { parseSql, type SqlSource } from './analyze-sql.ts';
import { startAnalyzerServer } from './analyzer-server.ts';
import { bigQueryLanguageOptions } from './bigquery-language-options.ts';
import { checkRepository, checkSources, formatFinding } from './check-bigquery-sql.ts';
import { readAllSources } from './sql-sources.ts';

const root = join(import.meta.dirname, '..', '..');

// The package ships the analyzer for Linux and macOS on x86-64 and arm64; elsewhere, a visible skip.
const noAnalyzer =
  ['linux', 'darwin'].includes(process.platform) && ['x64', 'arm64'].includes(process.arch)
    ? false
    : `no prebuilt ZetaSQL analyzer for ${process.platform}-${process.arch} in @fivetrandevelopers/zetasql`;

const sqlFilesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sqlFilesUnder(join(dir, entry.name)) : entry.name.endsWith('.sql') ? [relative(root, join(dir, entry.name))] : [],
  );

const statement = (sql: string, extra: Partial<SqlSource> = {}): SqlSource => ({ path: 'sql/queries/probe.sql', sql, firstLine: 1, mode: 'analyze', ...extra });

describe('the repository is valid BigQuery', { skip: noAnalyzer }, () => {
  test('every sql/ file, docs block, answer case and translator query passes the analyzer', async () => {
    const report = await checkRepository(root);
    assert.deepEqual(report.findings.map(formatFinding), []);
    const checkedPaths = new Set(report.checked.map(({ source }) => source.path));
    for (const file of sqlFilesUnder(join(root, 'sql'))) assert.ok(checkedPaths.has(file), `${file} was not checked`);
    // Each file's statements were analyzed, not skipped: a view is one statement at least.
    for (const { source, statements } of report.checked) assert.ok(statements >= 1, `${source.path} ${source.what ?? ''}: no statement analyzed`);
    assert.ok(report.checked.some(({ source }) => source.path.startsWith('functions/embedded/warehouse/answers/') && source.mode === 'analyze'), 'the answer cases were checked');
    assert.ok(report.checked.some(({ source }) => source.path === 'docs/warehouse.md'), 'the docs sql blocks were checked');
    assert.ok(report.checked.some(({ source }) => source.mode === 'parse'), 'the translator fragments were parsed');
  });

  test('views resolve in dependency order: a view reading another comes after it', async () => {
    const sources = await readAllSources(root);
    const views = sources.filter((source) => source.path.startsWith('sql/views/')).map((source) => source.path);
    assert.ok(views.indexOf('sql/views/person_surviving.sql') < views.indexOf('sql/views/attributed_orders.sql'));
  });
});

describe('the checker fails on what BigQuery rejects, with the analyzer\'s message and position', { skip: noAnalyzer }, () => {
  const rejected: [string, string, RegExp, number, number][] = [
    ['an unknown column', 'SELECT event_id,\n  no_such_column\nFROM `${dataset}.events`', /Unrecognized name: no_such_column/, 2, 3],
    ['a DuckDB-only function', 'SELECT list_value(1, 2) AS xs', /Function not found: list_value/, 1, 8],
    ['a type error', 'SELECT SUM(event_id) FROM nudge.events', /No matching signature for aggregate function SUM for argument types: STRING/, 1, 8],
    ['an unknown table', 'SELECT 1 FROM `${dataset}.events` e JOIN `${dataset}.no_such_table` n ON TRUE', /Table not found: `nudge.no_such_table`/, 1, 42],
    ['the second of two statements', 'SELECT 1;\nSELECT kind FROM nudge.events GROUP BY event_id', /SELECT list expression references column kind which is neither grouped nor aggregated/, 2, 8],
    ['DuckDB syntax', 'SELECT * EXCLUDE (hops) FROM nudge.events', /Syntax error/, 1, 10],
  ];
  for (const [what, sql, message, line, column] of rejected) {
    test(what, async () => {
      const { findings } = await checkSources([statement(sql, { firstLine: 10 })], { root });
      assert.equal(findings.length, 1);
      const [finding] = findings;
      assert.match(finding!.message, message);
      // Positions are in the file as written (`${dataset}` is longer than `nudge`).
      assert.deepEqual([finding!.path, finding!.line, finding!.column], ['sql/queries/probe.sql', 10 + line - 1, column]);
      assert.match(formatFinding(finding!), new RegExp(`^sql/queries/probe\\.sql:${10 + line - 1}:${column}: `));
    });
  }

  test('parameters are typed from their values, as the BigQuery client types them', async () => {
    const sql = 'SELECT COUNT(*) AS n FROM nudge.events WHERE occurred_at >= @since';
    const { checked } = await checkSources(
      [statement(sql, { params: { since: new Date('2026-11-30T00:00:00Z') } }), statement(sql, { params: { since: 7 } }), statement(sql, { params: {} })],
      { root },
    );
    assert.equal(checked[0]!.finding, undefined);
    assert.match(checked[1]!.finding!.message, /No matching signature for operator >= for argument types: TIMESTAMP, INT64/);
    assert.match(checked[2]!.finding!.message, /Query parameter 'since' not found/);
  });

  test('a sql/ file\'s parameters have the types its header declares (`-- @name TYPE`)', async () => {
    const body = '\nSELECT COUNT(*) AS n FROM nudge.events WHERE occurred_at >= @since AND event_id IN UNNEST(@ids) AND source = @source';
    const { checked } = await checkSources(
      [
        statement(`-- Parameters:\n--   @since TIMESTAMP  from when\n--   @ids   ARRAY<STRING>  which${body}`),
        statement(`--   @since INT64  from when${body}`),
      ],
      { root },
    );
    // @source is not declared: the analyzer infers it (STRING, from the comparison).
    assert.equal(checked[0]!.finding, undefined);
    assert.match(checked[1]!.finding!.message, /No matching signature for operator >= for argument types: TIMESTAMP, INT64/);
  });

  test('a created view joins the catalog for the SQL after it', async () => {
    const { findings } = await checkSources(
      [
        statement('CREATE OR REPLACE VIEW `${dataset}.probe_view` AS SELECT event_id, occurred_at FROM `${dataset}.events`', { path: 'sql/views/probe_view.sql' }),
        statement('SELECT event_id FROM `${dataset}.probe_view` WHERE occurred_at IS NOT NULL'),
        statement('SELECT kind FROM nudge.probe_view'),
      ],
      { root },
    );
    assert.deepEqual(findings.map((f) => f.message), ['Unrecognized name: kind']);
  });

  test('BigQuery-only functions are known; a wrong call to one is still refused', async () => {
    const { checked } = await checkSources(
      [
        statement("SELECT CONTAINS_SUBSTR(STRUCT('Blue' AS colour), 'blue') AS found, JSON_KEYS(JSON '{\"a\": {\"b\": 1}}') AS keys"),
        statement("SELECT MAX_BY(fruit, sold) AS best FROM UNNEST([STRUCT('pear' AS fruit, 3 AS sold)])"),
        statement("SELECT CONTAINS_SUBSTR('abc') AS found"),
        statement('SELECT MAX_BY(fruit) AS best FROM UNNEST([STRUCT(\'pear\' AS fruit)])'),
      ],
      { root },
    );
    assert.deepEqual(checked.slice(0, 2).map((c) => c.finding), [undefined, undefined]);
    assert.match(checked[2]!.finding!.message, /CONTAINS_SUBSTR/);
    assert.match(checked[3]!.finding!.message, /MAX_BY/);
  });

  test('a temporary function is known to the rest of its script, and only there', async () => {
    const udf = 'CREATE TEMP FUNCTION add_four(x INT64) AS (x + 4);\nSELECT add_four(3) AS y';
    const { checked } = await checkSources([statement(udf), statement("SELECT add_four('three') AS y")], { root });
    assert.equal(checked[0]!.finding, undefined);
    assert.equal(checked[0]!.statements, 2);
    assert.match(checked[1]!.finding!.message, /Function not found: add_four/);
  });

  test('a script (DECLARE, SET, …) is checked by the parser: its grammar, not its names', async () => {
    const { checked } = await checkSources(
      [statement('DECLARE n INT64 DEFAULT 1;\nSET n = n + 1;\nSELECT n AS y'), statement('DECLARE n INT64 DEFAULT;\nSELECT n')],
      { root },
    );
    assert.deepEqual([checked[0]!.finding, checked[0]!.parsedOnly], [undefined, true]);
    assert.match(checked[1]!.finding!.message, /Syntax error/);
  });

  test('SQL said to be rejected by BigQuery must be rejected, with that message', async () => {
    const sql = "SELECT TIMESTAMP_DIFF(TIMESTAMP '2018-10-14', TIMESTAMP '2018-08-14', WEEK) AS weeks";
    const { checked } = await checkSources(
      [
        statement(sql, { rejects: /TIMESTAMP_DIFF does not support the WEEK date part/ }),
        statement(sql, { rejects: /some other message/ }),
        statement('SELECT 1 AS one', { rejects: /anything/ }),
      ],
      { root },
    );
    assert.equal(checked[0]!.finding, undefined);
    assert.match(checked[0]!.rejectedAsExpected!, /WEEK date part/);
    assert.match(checked[1]!.finding!.message, /rejects it with "TIMESTAMP_DIFF does not support .*", which does not match/);
    assert.match(checked[2]!.finding!.message, /BigQuery's analyzer accepts it/);
  });

  test('parse-only fragments: any names pass, BigQuery\'s grammar does not bend', async () => {
    const { checked } = await checkSources(
      [statement('SELECT made_up FROM t QUALIFY x = 1', { mode: 'parse' }), statement('SELECT a FROM t LIMIT ALL', { mode: 'parse' })],
      { root },
    );
    assert.equal(checked[0]!.finding, undefined);
    assert.match(checked[1]!.finding!.message, /Syntax error/);
  });

  test('QUALIFY right after FROM is BigQuery (a reserved word there); ZetaSQL\'s default grammar would want WHERE first', async () => {
    const sql = 'SELECT * FROM nudge.events QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1';
    const { findings } = await checkSources([statement(sql)], { root });
    assert.deepEqual(findings, []);
    const server = await startAnalyzerServer();
    try {
      await assert.rejects(parseSql({ sqlStatement: sql, options: bigQueryLanguageOptions({ qualifyReserved: false }) }), /QUALIFY clause must be used in conjunction with WHERE or GROUP BY or HAVING/);
    } finally {
      await server.stop();
    }
  });
});

describe('the CLI', { skip: noAnalyzer }, () => {
  test('a schema with a type BigQuery does not have is refused, naming the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-bq-check-'));
    try {
      mkdirSync(join(dir, 'sql', 'tables'), { recursive: true });
      writeFileSync(join(dir, 'sql', 'tables', 'orders.schema.json'), JSON.stringify([{ name: 'total', type: 'MONEY', mode: 'NULLABLE' }]));
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'check-bigquery-sql.mjs'), '--root', dir], { encoding: 'utf8' });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /orders\.schema\.json: field "total" has type "MONEY", which is not a BigQuery schema type/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('prints a line per file and fails with file:line:column: message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-bq-check-'));
    try {
      mkdirSync(join(dir, 'sql', 'tables'), { recursive: true });
      mkdirSync(join(dir, 'sql', 'views'), { recursive: true });
      writeFileSync(join(dir, 'sql', 'tables', 'orders.schema.json'), JSON.stringify([
        { name: 'order_id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'total', type: 'NUMERIC', mode: 'NULLABLE' },
        { name: 'items', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'sku', type: 'STRING' }, { name: 'qty', type: 'INTEGER' }] },
      ]));
      writeFileSync(join(dir, 'sql', 'views', 'big_orders.sql'), 'CREATE OR REPLACE VIEW `${dataset}.big_orders` AS\nSELECT order_id, (SELECT SUM(qty) FROM UNNEST(items)) AS units\nFROM `${dataset}.orders` WHERE total > 100;\n');
      writeFileSync(join(dir, 'sql', 'views', 'broken.sql'), 'CREATE OR REPLACE VIEW `${dataset}.broken` AS\nSELECT order_id, unit\nFROM `${dataset}.big_orders`;\n');
      const run = spawnSync(process.execPath, [join(root, 'scripts', 'check-bigquery-sql.mjs'), '--root', dir], { encoding: 'utf8' });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, /^ok {3}sql\/views\/big_orders\.sql \(1 statement\)$/m);
      assert.match(run.stdout, /^FAIL sql\/views\/broken\.sql:2:18: Unrecognized name: unit; Did you mean units\?$/m);
      assert.match(run.stdout, /2 checked, 1 invalid for BigQuery/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Local addresses listening on `port` (Linux: /proc/net/tcp and tcp6, hex, state 0A = LISTEN). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').slice(1).map((line) => line.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A').map((f) => f[1]!.split(':')[0]!);
  });
}

describe('the analyzer server', { skip: noAnalyzer }, () => {
  test('listens on loopback only and is gone after stop', async () => {
    const server = await startAnalyzerServer();
    const pid = server.pid!;
    assert.ok(pid > 0);
    assert.doesNotThrow(() => process.kill(pid, 0));
    if (process.platform === 'linux') {
      const addresses = listeningAddresses(server.port);
      assert.ok(addresses.length > 0, 'the server listens');
      // 127.0.0.1 as IPv4 (0100007F) or IPv4-mapped IPv6 (…FFFF00000100007F); never 0.0.0.0 or ::.
      for (const address of addresses) assert.match(address, /0100007F$/);
    }
    await server.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  test('dies with the process that started it, even one killed outright (no exit hook runs)', { skip: process.platform !== 'linux' && 'Linux only (setpriv --pdeathsig)' }, async () => {
    const serverModule = join(import.meta.dirname, 'analyzer-server.ts');
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `import { startAnalyzerServer } from ${JSON.stringify(serverModule)}; console.log((await startAnalyzerServer()).pid); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: holder.stdout! }), 'line')) as [string];
    const pid = Number(line);
    assert.ok(pid > 0);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    // The kernel delivers the parent-death signal and init reaps the server; poll until it has.
    const isAlive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && isAlive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const survived = isAlive();
    if (survived) process.kill(pid, 'SIGKILL'); // not left behind by a failing test either
    assert.equal(survived, false, `analyzer ${pid} outlived the process that started it`);
  });
});
