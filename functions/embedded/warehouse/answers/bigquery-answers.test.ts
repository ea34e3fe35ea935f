import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbWarehouse } from '../duckdb-warehouse.ts';
import type { Warehouse } from '../../../../pipelines/warehouse/warehouse.ts';
import type { BigQueryCase } from './bigquery-case.ts';

/** Every `*.cases.ts` here: analyst queries with BigQuery's documented answers (bigquery-case.ts). */
const caseFiles = readdirSync(import.meta.dirname).filter((name) => name.endsWith('.cases.ts')).sort();
const suites = await Promise.all(
  caseFiles.map(async (file) => ({ file, cases: ((await import(join(import.meta.dirname, file))) as { bigQueryCases: BigQueryCase[] }).bigQueryCases })),
);

let dataDir: string;
let warehouse: Warehouse;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-answers-'));
  warehouse = await openDuckDbWarehouse({ dataDir });
});
after(async () => {
  await warehouse.close();
  rmSync(dataDir, { recursive: true, force: true });
});

for (const { file, cases } of suites) {
  describe(file, () => {
    for (const bigQueryCase of cases) {
      test(bigQueryCase.name, async () => {
        const run = () => warehouse.query(bigQueryCase.sql, bigQueryCase.params);
        const { expected } = bigQueryCase;
        if ('rows' in expected) assert.deepEqual(await run(), expected.rows);
        else if ('refused' in expected) await assert.rejects(run, expected.refused);
        else await assert.rejects(run, expected.error);
      });
    }
  });
}
