import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { Decision } from '../../pipelines/decisions/decision.ts';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';

/**
 * What every Warehouse adapter must do (pipelines/warehouse/warehouse.ts): the same BigQuery SQL
 * gives the same plain values, embedded (DuckDB) and on GCP (BigQuery). Reads of inserted rows go
 * through a QUALIFY dedupe, as analysts' queries on GCP must: BigQuery's insertId dedupe is best
 * effort, DuckDB's key is enforced; with the dedupe both answer one row per key.
 */

export type WarehouseHarness = {
  /** A warehouse whose dataset holds the sql/tables tables, empty, seen by no other test. */
  open: () => Promise<Warehouse>;
  teardown?: () => Promise<void>;
  /**
   * How long a read may take to see rows just inserted (BigQuery's streaming buffer is normally
   * queryable at once, but a table created seconds ago can lag). 0: at once, checked once.
   */
  readAfterWriteMs?: number;
};

const decision = (id: string, overrides: Partial<Decision> = {}): Decision =>
  Decision.parse({
    decision_id: id, send_id: `send-${id}`, campaign_id: 'cart-abandonment', person_id: 'p-1', step: 0, outcome: 'defer', reason: 'quiet_hours',
    defer_until: '2026-11-28T07:00:00.000Z', decided_at: '2026-11-27T22:00:00.000Z', variant_id: null, trigger_key: '["cart-1",null]', ...overrides,
  });

const event = (n: number): NudgeEvent =>
  NudgeEvent.parse({
    event_id: `evt-${n}`, type: 'track', kind: 'product_added', event_name: 'Product Added', anonymous_id: `anon-${n}`, user_id: null, email: null,
    previous_id: null, properties: { product_id: `p-${n}`, price: n + 0.5, variant: { size: 'M' } }, traits: {}, context: { page: { url: 'https://shop.example/p' } },
    occurred_at: '2026-11-27T10:00:00.000Z', received_at: '2026-11-27T10:00:00.250Z', source: 'http', source_id: 'wk_test',
    hops: { collected: '2026-11-27T10:00:00.250Z' }, schema_version: 1,
  });

export function runWarehouseContract(name: string, setup: () => Promise<WarehouseHarness>, options: { skip?: string } = {}): void {
  describe(`Warehouse contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: WarehouseHarness | undefined;
    let warehouse: Warehouse;
    before(async () => {
      harness = await setup();
      warehouse = await harness.open();
    });
    after(async () => {
      await warehouse?.close();
      await harness?.teardown?.();
    });

    /** Reads until `expected` or the harness's read-after-write time is up, then asserts. */
    const readEventually = async (sql: string, expected: WarehouseRow[], params: Record<string, unknown> = {}) => {
      const deadline = Date.now() + (harness?.readAfterWriteMs ?? 0);
      for (;;) {
        const rows = await warehouse.query(sql, params);
        if (Date.now() >= deadline || JSON.stringify(rows) === JSON.stringify(expected)) return assert.deepStrictEqual(rows, expected);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    };

    test('named @params in, the documented plain value of each type out', async () => {
      const rows = await warehouse.query(
        `SELECT
           @n + 1 AS int64,
           CAST('9007199254740993' AS INT64) AS int64_beyond_2_53,
           @f * 2 AS float64,
           @flag AS bool,
           CONCAT(@s, '!') AS string,
           TIMESTAMP_ADD(TIMESTAMP '2026-11-27 10:00:00+00', INTERVAL 1500 MILLISECOND) AS ts,
           DATE '2026-11-27' AS date,
           DATE(@at) AS date_of_param,
           PARSE_JSON('{"a": [1, 2], "b": {"c": null}}') AS json,
           CAST(NULL AS STRING) AS nothing`,
        { n: 41, f: 1.5, flag: true, s: 'hi', at: new Date('2026-11-27T23:59:59.999Z') },
      );
      assert.deepStrictEqual(rows, [
        {
          int64: 42,
          int64_beyond_2_53: '9007199254740993',
          float64: 3,
          bool: true,
          string: 'hi!',
          ts: '2026-11-27T10:00:01.500Z',
          date: '2026-11-27',
          date_of_param: '2026-11-27',
          json: { a: [1, 2], b: { c: null } },
          nothing: null,
        },
      ]);
    });

    test('a string @param compares with a TIMESTAMP column, as an ISO instant', async () => {
      const rows = await warehouse.query("SELECT TIMESTAMP '2026-11-27 10:00:00+00' >= @since AS after_since", { since: '2026-11-27T09:59:59Z' });
      assert.deepStrictEqual(rows, [{ after_since: true }]);
    });

    test('several statements: the last one\'s rows come back', async () => {
      const rows = await warehouse.query("SELECT 1 AS first_statement;\nSELECT 2 AS n, 'last' AS which;");
      assert.deepStrictEqual(rows, [{ n: 2, which: 'last' }]);
    });

    test('a script: a temporary table made by one statement, read by the last', async () => {
      // A fresh name: embedded, temp tables live as long as the warehouse's connection.
      const table = `t_${Math.random().toString(36).slice(2, 10)}`;
      const rows = await warehouse.query(
        `CREATE TEMP TABLE ${table} AS SELECT 3 AS n UNION ALL SELECT 1 UNION ALL SELECT 2;
         SELECT n FROM ${table} WHERE n > @min ORDER BY n;`,
        { min: 1 },
      );
      assert.deepStrictEqual(rows, [{ n: 2 }, { n: 3 }]);
    });

    test('a @param without a value is an error naming it', async () => {
      await assert.rejects(warehouse.query('SELECT @given AS a, @missing AS b', { given: 1 }), /@missing/);
    });

    test('inserted rows read back as plain values, one per key through a dedupe, whatever the redelivery', async () => {
      await warehouse.insertRows('decisions', [decision('d1'), decision('d2', { outcome: 'send', reason: 'eligible', defer_until: null, step: 1 })]);
      await warehouse.insertRows('decisions', [decision('d1')]); // a redelivery
      await readEventually(
        `SELECT decision_id, step, outcome, defer_until, decided_at, trigger_key
         FROM \`\${dataset}.decisions\`
         WHERE TRUE
         QUALIFY ROW_NUMBER() OVER (PARTITION BY decision_id ORDER BY decided_at) = 1
         ORDER BY decision_id`,
        [
          { decision_id: 'd1', step: 0, outcome: 'defer', defer_until: '2026-11-28T07:00:00.000Z', decided_at: '2026-11-27T22:00:00.000Z', trigger_key: '["cart-1",null]' },
          { decision_id: 'd2', step: 1, outcome: 'send', defer_until: null, decided_at: '2026-11-27T22:00:00.000Z', trigger_key: '["cart-1",null]' },
        ],
      );
    });

    test('events and dead letters: JSON columns read back as values and through JSON_VALUE', async () => {
      await warehouse.insertEvents([event(1), event(2)]);
      await warehouse.insertDeadLetters([
        DeadLetter.parse({
          dead_letter_id: 'dl-1', stage: 'collect', reason: 'invalid_event', errors: [{ index: 0, path: 'properties.price', message: 'Expected number' }],
          payload: '{"event":"Product Added"}', source_id: 'wk_test', received_at: '2026-11-27T10:00:00.000Z',
        }),
      ]);
      await readEventually(
        `SELECT event_id, properties, JSON_VALUE(properties, '$.variant.size') AS size, occurred_at
         FROM events
         WHERE kind = @kind
         QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1
         ORDER BY event_id`,
        [
          { event_id: 'evt-1', properties: { product_id: 'p-1', price: 1.5, variant: { size: 'M' } }, size: 'M', occurred_at: '2026-11-27T10:00:00.000Z' },
          { event_id: 'evt-2', properties: { product_id: 'p-2', price: 2.5, variant: { size: 'M' } }, size: 'M', occurred_at: '2026-11-27T10:00:00.000Z' },
        ],
        { kind: 'product_added' },
      );
      await readEventually('SELECT dead_letter_id, errors FROM nudge.dead_letters WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY dead_letter_id) = 1', [
        { dead_letter_id: 'dl-1', errors: [{ index: 0, path: 'properties.price', message: 'Expected number' }] },
      ]);
    });

    test('an insert into a table sql/tables does not declare, or with a column it lacks, is refused', async () => {
      await assert.rejects(warehouse.insertRows('no_such_table', [{ a: 1 }]));
      await assert.rejects(warehouse.insertRows('decisions', [{ ...decision('d9'), email: 'jane@example.com' }]), /email/);
    });
  });
}
