import { BigQuery } from '@google-cloud/bigquery';

/**
 * A BigQuery client for tools that run outside Cloud Functions (`nudge query --target gcp`, the
 * contract suite). Beside clients.ts rather than in it: the CLI then loads the BigQuery SDK
 * alone, not Pub/Sub and Firestore too.
 *
 * The project is always explicit: left to itself google-auth would look for it in the
 * environment, in gcloud's config and finally on the metadata server — a request that hangs
 * until it times out on a machine that is not on GCP (and that tests must never make;
 * scripts/run-tests.mjs sets METADATA_SERVER_DETECTION=none for every test process).
 * Credentials: the key file GOOGLE_APPLICATION_CREDENTIALS names, when set in `env`; otherwise
 * Application Default Credentials (`gcloud auth application-default login`, or the attached
 * service account on GCP).
 */
export function createBigQueryClient(options: {
  projectId: string;
  location?: string;
  env: Readonly<Record<string, string | undefined>>;
}): BigQuery {
  const keyFilename = options.env.GOOGLE_APPLICATION_CREDENTIALS;
  return new BigQuery({
    projectId: options.projectId,
    ...(options.location ? { location: options.location } : {}),
    ...(keyFilename ? { keyFilename } : {}),
  });
}
