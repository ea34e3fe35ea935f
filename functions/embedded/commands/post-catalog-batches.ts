import type { CatalogTrackCall } from '../../../pipelines/catalog/feed/build-import-messages.ts';
import type { FieldError } from '../../../pipelines/events/dead-letters.ts';
import { maxBatchBytes } from '../../../pipelines/events/limits.ts';

/** The collector's answer to the whole import: how many calls it kept, refused, and why (index = position in `calls`). */
export type PostOutcome = { accepted: number; rejected: number; errors: FieldError[] };

/** A 401 or 403: no retry can help, the key is wrong for this. */
export class ImportKeyRefused extends Error {
  override name = 'ImportKeyRefused';
}

/** Room left in a batch body for `{"batch":[…]}` and the commas. */
const envelopeBytes = 1024;

/** Splits calls into /v1/batch bodies under the collector's 500 KB; each call is at most 32 KB when valid. */
export function chunkByBytes(calls: readonly CatalogTrackCall[], limit = maxBatchBytes - envelopeBytes): CatalogTrackCall[][] {
  const chunks: CatalogTrackCall[][] = [];
  let current: CatalogTrackCall[] = [];
  let size = 0;
  for (const call of calls) {
    const bytes = Buffer.byteLength(JSON.stringify(call)) + 1;
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(call);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Posts the calls in order, one batch at a time, and sums the collector's answers. 503, 429 and
 * network errors are retried with backoff: the messageIds make a resent batch harmless.
 */
export async function postCatalogBatches(
  deps: { url: string; writeKey: string; fetch?: typeof fetch; onProgress?: (done: number) => void },
  calls: readonly CatalogTrackCall[],
): Promise<PostOutcome> {
  const doFetch = deps.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${deps.writeKey}:`).toString('base64')}`;
  const outcome: PostOutcome = { accepted: 0, rejected: 0, errors: [] };
  let offset = 0;
  for (const batch of chunkByBytes(calls)) {
    const body = JSON.stringify({ batch });
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let answer: { accepted?: number; rejected?: number; errors?: FieldError[] } = {};
      try {
        const response = await doFetch(`${deps.url}/v1/batch`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        status = response.status;
        answer = (await response.json().catch(() => ({}))) as typeof answer;
      } catch {
        status = 0;
      }
      if (status === 401) throw new ImportKeyRefused(`the collector at ${deps.url} refused the write key (401); pass --write-key`);
      if (status === 403) throw new ImportKeyRefused(`the collector at ${deps.url} accepts Catalog Updated only with a server write key (403); pass --write-key with one of NUDGE_SERVER_WRITE_KEYS`);
      if (status === 200 || status === 400) {
        const errors = answer.errors ?? [];
        const rejected = status === 400 ? batch.length : (answer.rejected ?? 0);
        outcome.accepted += status === 400 ? 0 : (answer.accepted ?? batch.length);
        outcome.rejected += rejected;
        outcome.errors.push(...errors.map((error) => ({ ...error, ...(error.index === undefined ? {} : { index: error.index + offset }) })));
        break;
      }
      if (attempt >= 4 || (status !== 0 && status !== 503 && status !== 429)) throw new Error(`POST ${deps.url}/v1/batch failed${status ? ` with ${status}` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
    offset += batch.length;
    deps.onProgress?.(offset);
  }
  return outcome;
}
