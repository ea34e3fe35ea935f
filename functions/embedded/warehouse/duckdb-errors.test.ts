import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { describeDuckDbError } from './duckdb-errors.ts';
import { openDuckDbWarehouse } from './duckdb-warehouse.ts';

describe('describeDuckDbError', () => {
  test("drops DuckDB's quote of the translation and its caret, keeps what is wrong", () => {
    const duckdb = new Error('Binder Error: Referenced column "nosuch" not found in FROM clause!\nCandidate bindings: "a"\n\nLINE 1: SELECT nosuch FROM unnest([1]) AS "a"("a")\n               ^');
    const described = describeDuckDbError(duckdb, { index: 0, count: 1 });
    assert.equal(described.message, 'Binder Error: Referenced column "nosuch" not found in FROM clause!\nCandidate bindings: "a"');
    assert.equal(described.cause, duckdb);
  });

  test('a function DuckDB does not have is named with its line in the analyst\'s SQL, without DuckDB\'s suggestion', () => {
    const duckdb = new Error('Catalog Error: Scalar Function with name levenshtien does not exist!\nDid you mean "levenshtein"?\n\nLINE 1: SELECT levenshtien(a, b)\n               ^');
    const described = describeDuckDbError(duckdb, { index: 0, count: 1 }, 'SELECT\n  a,\n  LEVENSHTIEN(a, b) AS d\nFROM t');
    assert.equal(described.message, 'Function LEVENSHTIEN() is not supported by the embedded warehouse (not a BigQuery function, or one it does not translate) at line 3, column 3');
  });

  test('names the statement of a script, and placeholder aliases for what they are', () => {
    const described = describeDuckDbError(new Error('Binder Error: column "_bq_anonymous_2" is ambiguous'), { index: 1, count: 3 });
    assert.equal(described.message, 'Binder Error: column (an unnamed column) is ambiguous (statement 2 of 3)');
  });
});

describe('a query DuckDB rejects after translation', () => {
  let dataDir: string;
  let warehouse: Warehouse;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-errors-'));
    warehouse = await openDuckDbWarehouse({ dataDir });
  });
  after(async () => {
    await warehouse.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('is reported without the translated SQL', async () => {
    await assert.rejects(warehouse.query('SELECT nosuch, COUNT(*) FROM UNNEST([1]) AS x'), (error: Error) => {
      assert.match(error.message, /Referenced column "nosuch" not found/);
      assert.doesNotMatch(error.message, /LINE \d|unnest\(|_bq_anonymous/);
      return true;
    });
  });
});
