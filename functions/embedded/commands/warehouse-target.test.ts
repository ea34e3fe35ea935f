import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { fakeBigQuery } from '../../../test/support/fake-bigquery.ts';
import { ConfigError } from '../config.ts';
import { runQueryCommand } from './query-command.ts';
import { openWarehouseForTarget, parseBigQueryTarget, parseWarehouseTarget } from './warehouse-target.ts';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-target-'));
  dirs.push(dir);
  return dir;
};

describe('parseWarehouseTarget', () => {
  test('embedded by default; embedded or gcp; anything else refused with the choices', () => {
    assert.equal(parseWarehouseTarget(undefined), 'embedded');
    assert.equal(parseWarehouseTarget('gcp'), 'gcp');
    assert.throws(() => parseWarehouseTarget('aws'), (error: Error) => error instanceof ConfigError && /embedded or gcp/.test(error.message));
  });
});

describe('parseBigQueryTarget', () => {
  test('a missing project is a ConfigError naming the variable', () => {
    assert.throws(() => parseBigQueryTarget({}), (error: Error) => error instanceof ConfigError && /NUDGE_GCP_PROJECT/.test(error.message));
  });

  test('project from NUDGE_GCP_PROJECT over GOOGLE_CLOUD_PROJECT; dataset defaults to terraform\'s "nudge"', () => {
    assert.deepEqual(parseBigQueryTarget({ NUDGE_GCP_PROJECT: 'shop', GOOGLE_CLOUD_PROJECT: 'other' }), { projectId: 'shop', dataset: 'nudge' });
    assert.deepEqual(parseBigQueryTarget({ GOOGLE_CLOUD_PROJECT: 'other' }), { projectId: 'other', dataset: 'nudge' });
  });

  test('dataset from NUDGE_BIGQUERY_DATASET, else the functions\' NUDGE_BQ_DATASET; location when set', () => {
    assert.deepEqual(parseBigQueryTarget({ NUDGE_GCP_PROJECT: 'shop', NUDGE_BIGQUERY_DATASET: 'a', NUDGE_BQ_DATASET: 'b', NUDGE_BIGQUERY_LOCATION: 'europe-west1' }), {
      projectId: 'shop', dataset: 'a', location: 'europe-west1',
    });
    assert.equal(parseBigQueryTarget({ NUDGE_GCP_PROJECT: 'shop', NUDGE_BQ_DATASET: 'b' }).dataset, 'b');
  });

  test('refuses a dataset id terraform would refuse', () => {
    assert.throws(() => parseBigQueryTarget({ NUDGE_GCP_PROJECT: 'shop', NUDGE_BIGQUERY_DATASET: 'my-data' }), /NUDGE_BIGQUERY_DATASET/);
  });
});

describe('openWarehouseForTarget', () => {
  test('gcp: a BigQuery warehouse on the project and dataset of the environment', async () => {
    const fake = fakeBigQuery();
    const asked: unknown[] = [];
    const warehouse = await openWarehouseForTarget({
      target: 'gcp',
      env: { NUDGE_GCP_PROJECT: 'shop', NUDGE_BIGQUERY_DATASET: 'nudge_eu', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' },
      createBigQuery: (options) => {
        asked.push(options);
        return fake.client;
      },
    });
    await warehouse.query('SELECT COUNT(*) AS n FROM nudge.events');
    await warehouse.close();
    assert.deepEqual(asked, [{ projectId: 'shop', env: { NUDGE_GCP_PROJECT: 'shop', NUDGE_BIGQUERY_DATASET: 'nudge_eu', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' } }]);
    assert.equal(fake.jobs[0]!.query, 'SELECT COUNT(*) AS n FROM `shop`.`nudge_eu`.events');
  });

  test('gcp without a project fails before any client is made', async () => {
    let made = 0;
    await assert.rejects(
      openWarehouseForTarget({ target: 'gcp', env: {}, createBigQuery: () => (made++, fakeBigQuery().client) }),
      (error: Error) => error instanceof ConfigError && /NUDGE_GCP_PROJECT/.test(error.message),
    );
    assert.equal(made, 0);
  });

  test('embedded: the DuckDB file of the data dir', async () => {
    const dataDir = tempDir();
    const warehouse = await openWarehouseForTarget({ target: 'embedded', env: { NUDGE_DATA_DIR: join(dataDir, 'ignored') }, dataDir });
    try {
      assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.events'), [{ n: 0 }]);
    } finally {
      await warehouse.close();
    }
    assert.ok(existsSync(join(dataDir, 'warehouse.duckdb')), 'dataDir overrides NUDGE_DATA_DIR');
  });

  test("embedded: SQL written for the deployed dataset runs unchanged; another dataset is refused", async () => {
    const dataDir = tempDir();
    const warehouse = await openWarehouseForTarget({ target: 'embedded', env: { NUDGE_BIGQUERY_DATASET: 'analytics_prod' }, dataDir });
    try {
      assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM analytics_prod.events'), [{ n: 0 }]);
      assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM shop-prod.analytics_prod.events JOIN `shop-prod.analytics_prod.dead_letters` AS d ON d.source_id = events.source_id'), [{ n: 0 }]);
      assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.events'), [{ n: 0 }]);
      await assert.rejects(warehouse.query('SELECT COUNT(*) AS n\nFROM shop-prod.staging.events'), /Dataset "shop-prod\.staging" is not this warehouse's.*\(line 2, column 6\)/);
    } finally {
      await warehouse.close();
    }
  });
});

describe('nudge query --target gcp', () => {
  const quiet = async <T>(run: () => Promise<T>): Promise<{ result: T; errors: string }> => {
    const original = console.error;
    let errors = '';
    console.error = (...args: unknown[]) => void (errors += args.join(' ') + '\n');
    try {
      return { result: await run(), errors };
    } finally {
      console.error = original;
    }
  };

  test('prints the rows BigQuery returns, as JSON lines', async () => {
    const fake = fakeBigQuery({ fields: [{ name: 'kind', type: 'STRING' }, { name: 'n', type: 'INTEGER' }], cells: [['product_added', '9007199254740993']] });
    const out = createCaptureStream();
    const code = await runQueryCommand('SELECT kind, COUNT(*) AS n FROM events GROUP BY kind', { json: true, env: { NUDGE_GCP_PROJECT: 'shop' }, target: 'gcp', createBigQuery: () => fake.client }, out);
    assert.equal(code, 0);
    assert.equal(out.text(), '{"kind":"product_added","n":"9007199254740993"}\n');
    assert.deepEqual(fake.jobs[0]!.defaultDataset, { projectId: 'shop', datasetId: 'nudge' });
  });

  test('refuses a statement that is not a SELECT before reaching BigQuery', async () => {
    const fake = fakeBigQuery();
    const { result, errors } = await quiet(() => runQueryCommand('DELETE FROM events WHERE TRUE', { json: true, env: { NUDGE_GCP_PROJECT: 'shop' }, target: 'gcp', createBigQuery: () => fake.client }, createCaptureStream()));
    assert.equal(result, 1);
    assert.match(errors, /nudge query is read-only: DELETE is not allowed/);
    assert.equal(fake.jobs.length, 0);
  });

  test('a missing project says which variable to set', async () => {
    const { result, errors } = await quiet(() => runQueryCommand('SELECT 1', { json: true, env: {}, target: 'gcp', createBigQuery: () => fakeBigQuery().client }, createCaptureStream()));
    assert.equal(result, 1);
    assert.match(errors, /^nudge: --target gcp needs the project: set NUDGE_GCP_PROJECT/);
  });
});
