import { ConfigError } from '../config-error.ts';

/** terraform's default dataset id (var.dataset_id). */
export const defaultBigQueryDataset = 'nudge';

/** NUDGE_BIGQUERY_DATASET is the analysts' name for the setting, NUDGE_BQ_DATASET the functions' (terraform sets it). */
const datasetSettings = ['NUDGE_BIGQUERY_DATASET', 'NUDGE_BQ_DATASET'] as const;

/**
 * The dataset ids the environment names, in that order, each checked by the rule terraform's
 * variable validation applies to a dataset id (a typo is a clear ConfigError, not a query that
 * reads nothing). The embedded warehouse answers for every one of them; GCP uses the first.
 */
export function configuredBigQueryDatasets(env: Readonly<Record<string, string | undefined>>): string[] {
  const names = datasetSettings.filter((name) => env[name]);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/.test(env[name]!)) {
      throw new ConfigError(`${name} must be a dataset id (letters, digits, underscores, not starting with a digit), not "${env[name]}"`);
    }
  }
  return [...new Set(names.map((name) => env[name]!))];
}

/** The deployed dataset: NUDGE_BIGQUERY_DATASET, else NUDGE_BQ_DATASET, else terraform's default. */
export function bigQueryDatasetOf(env: Readonly<Record<string, string | undefined>>): string {
  return configuredBigQueryDatasets(env)[0] ?? defaultBigQueryDataset;
}
