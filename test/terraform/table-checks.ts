import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { block, instancesOf, isRecord, referencedAddress, terraformDir } from './terraform-config.ts';
import type { Instance, TerraformConfig } from './terraform-config.ts';

/** Queries over Pub/Sub subscriptions and BigQuery tables shared by the policies. */

export const subscriptions = (c: TerraformConfig) => instancesOf(c, 'google_pubsub_subscription');
export const bigquerySubscriptions = (c: TerraformConfig) => subscriptions(c).filter((s) => block(s.body, 'bigquery_config'));
export const topicOf = (s: Instance) => referencedAddress(s.body.topic, 'google_pubsub_topic');

function readSchema(path: string): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isRecord)) throw new Error(`${path} is not a BigQuery schema (array of fields)`);
  return parsed;
}

/** The file a `schema = file("${path.module}/...")` attribute reads, resolved from terraform/. */
function schemaFile(config: TerraformConfig, table: Instance): string | null {
  const local = /^\$\{file\(local\.([a-z0-9_]+)\)\}$/.exec(String(table.body.schema))?.[1];
  const expression = local ? config.locals[local] : /^\$\{file\("(.+)"\)\}$/.exec(String(table.body.schema))?.[1];
  return typeof expression === 'string' ? resolve(terraformDir, expression.replace('${path.module}/', '')) : null;
}

export type TableExpectation = {
  table: string;
  partitionField: string;
  clustering: string[];
  /** The key column, or the columns of a composite key. */
  primaryKey: string | string[];
  /** The zod shape of the message a BigQuery subscription writes as a row; absent: layout only. */
  message?: Record<string, { safeParse: (value: unknown) => { success: boolean } }>;
  messageName?: string;
};

/**
 * Layout, and compatibility with the message written into it: with use_table_schema and
 * drop_unknown_fields, a field the table lacks is discarded silently, and a REQUIRED column a
 * message leaves null makes the write fail. The schema comes from sql/tables/<table>.schema.json;
 * while that file is absent only the layout is checked (the test prints a skip line).
 */
export function checkTable(c: TerraformConfig, expected: TableExpectation): string[] {
  const { table: name, message, messageName } = expected;
  const table = instancesOf(c, 'google_bigquery_table').find((t) => t.body.table_id === name);
  if (!table) return [`no BigQuery table ${name}`];
  const problems: string[] = [];
  const partitioning = block(table.body, 'time_partitioning');
  if (partitioning?.type !== 'DAY' || partitioning.field !== expected.partitionField) problems.push(`${name} is not partitioned by DAY on ${expected.partitionField}`);
  if (JSON.stringify(table.body.clustering) !== JSON.stringify(expected.clustering)) problems.push(`${name} is not clustered by [${expected.clustering.join(', ')}]`);
  const key = block(block(table.body, 'table_constraints'), 'primary_key')?.columns;
  const expectedKey = typeof expected.primaryKey === 'string' ? [expected.primaryKey] : expected.primaryKey;
  if (JSON.stringify(key) !== JSON.stringify(expectedKey)) problems.push(`${name} primary key is not [${expectedKey.join(', ')}]`);
  const file = schemaFile(c, table);
  if (!file || !file.endsWith(`/sql/tables/${name}.schema.json`)) return [...problems, `${name} schema does not come from sql/tables/${name}.schema.json (${String(table.body.schema)})`];
  if (!existsSync(file)) return problems;
  const columns = new Map(readSchema(file).map((f) => [String(f.name), f]));
  const partitionType = String(columns.get(expected.partitionField)?.type);
  if (partitionType !== 'TIMESTAMP' && partitionType !== 'DATE') problems.push(`${name}.${expected.partitionField} must be a TIMESTAMP or DATE to partition on`);
  if (!message) return problems;
  for (const [field, schema] of Object.entries(message)) {
    const column = columns.get(field);
    if (!column) problems.push(`${name} has no column for ${messageName}.${field}: it would be dropped silently`);
    else if (column.mode === 'REQUIRED' && schema.safeParse(null).success) problems.push(`${name}.${field} is REQUIRED but ${messageName}.${field} may be null`);
  }
  for (const [column, spec] of columns) {
    if (spec.mode === 'REQUIRED' && !(column in message)) problems.push(`${name}.${column} is REQUIRED but no message carries it`);
  }
  return problems;
}
