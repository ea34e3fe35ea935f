/**
 * The tables and views the analyzer resolves names against: the dataset's tables from their JSON
 * schemas, then every view (or table) a checked statement creates, so a view that reads another
 * resolves once that one has been analyzed.
 *
 * BigQuery reads one table under several spellings, and ZetaSQL resolves each differently, so each
 * table is registered under all of them: `events` (the job's default dataset), `nudge.events` and
 * `` `nudge`.events `` (a path: catalog `nudge`, table `events`), `` `nudge.events` `` (ZetaSQL: one
 * identifier containing a dot), and the same with a project in front for every project name the
 * checked SQL mentions (`` `my-shop.nudge.events` ``, unquoted `my-shop.nudge.events`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FunctionProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/FunctionProto.js';
import type { SimpleCatalogProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleCatalogProto.js';
import type { SimpleTableProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleTableProto.js';
import type { TypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto.js';
import { bigQueryLanguageOptions } from './bigquery-language-options.ts';
import { bigQueryOnlyFunctions } from './bigquery-only-functions.ts';
import { typeOfSchemaField, type SchemaField } from './zetasql-types.ts';

export type CatalogColumn = { name: string; type: TypeProto };

export type BigQueryCatalog = {
  dataset: string;
  /** By table name, lower-cased (BigQuery table names in a dataset are case-insensitive here). */
  tables: Map<string, { name: string; columns: CatalogColumn[] }>;
  projects: Set<string>;
  /** Functions the checked SQL created (CREATE TEMP FUNCTION), for the statements after them. */
  functions: FunctionProto[];
};

export function createCatalog(dataset: string): BigQueryCatalog {
  return { dataset, tables: new Map(), projects: new Set(), functions: [] };
}

export function addTable(catalog: BigQueryCatalog, name: string, columns: CatalogColumn[]): void {
  catalog.tables.set(name.toLowerCase(), { name, columns });
}

/** Every `sql/tables/<table>.schema.json`: the columns terraform gives the table on BigQuery. */
export function addSchemaTables(catalog: BigQueryCatalog, tablesDir: string): string[] {
  const files = readdirSync(tablesDir).filter((name) => name.endsWith('.schema.json')).sort();
  for (const file of files) {
    const path = join(tablesDir, file);
    const fields = JSON.parse(readFileSync(path, 'utf8')) as SchemaField[];
    if (!Array.isArray(fields)) throw new Error(`${path}: a BigQuery schema is a JSON array of fields`);
    addTable(catalog, basename(file, '.schema.json'), fields.map((field) => ({ name: field.name, type: typeOfSchemaField(field, path) })));
  }
  return files.map((file) => join(tablesDir, file));
}

/**
 * A created object's name as the analyzer reports it (`["nudge.v"]`, `["nudge", "v"]`, `["v"]`)
 * → the table name, when it is in the checked dataset (or unqualified, i.e. the default dataset).
 */
export function tableNameInDataset(catalog: BigQueryCatalog, namePath: readonly string[]): string | undefined {
  const parts = namePath.flatMap((part) => part.split('.'));
  const name = parts.at(-1);
  const qualifier = parts.slice(0, -1);
  if (!name) return undefined;
  if (qualifier.length === 0) return name;
  return qualifier.at(-1)!.toLowerCase() === catalog.dataset.toLowerCase() ? name : undefined;
}

function simpleTable(name: string, columns: CatalogColumn[]): SimpleTableProto {
  return { name, column: columns.map((column) => ({ name: column.name, type: column.type })) };
}

/** The catalog as ZetaSQL takes it, BigQuery's built-in functions included (and those ZetaSQL lacks). */
export function toSimpleCatalog(catalog: BigQueryCatalog): SimpleCatalogProto {
  const tables = [...catalog.tables.values()];
  const datasetCatalog = (): SimpleCatalogProto => ({ name: catalog.dataset, table: tables.map((t) => simpleTable(t.name, t.columns)) });
  const root: SimpleTableProto[] = [
    ...tables.map((t) => simpleTable(t.name, t.columns)),
    ...tables.map((t) => simpleTable(`${catalog.dataset}.${t.name}`, t.columns)),
  ];
  const projects: SimpleCatalogProto[] = [];
  for (const project of catalog.projects) {
    root.push(...tables.map((t) => simpleTable(`${project}.${catalog.dataset}.${t.name}`, t.columns)));
    projects.push({ name: project, catalog: [datasetCatalog()], table: tables.map((t) => simpleTable(`${catalog.dataset}.${t.name}`, t.columns)) });
  }
  return {
    name: 'bigquery',
    table: root,
    catalog: [datasetCatalog(), ...projects],
    builtinFunctionOptions: { languageOptions: bigQueryLanguageOptions() },
    customFunction: [...bigQueryOnlyFunctions, ...catalog.functions],
  };
}
