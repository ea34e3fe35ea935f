import type { SegmentMessage } from './shopper-script.ts';

export type BatchSenderOptions = {
  url: string;
  writeKey: string;
  /** Flush when this many events wait (Segment SDKs use 15–100). */
  maxBatch?: number;
  /** …or when the oldest waiting event is this old. */
  flushAfterMs?: number;
  /** At most this many /v1/batch requests in flight. */
  maxInFlight?: number;
  fetch?: typeof fetch;
};

export type SendCounts = { accepted: number; rejected: number; failed: number };

/** A write key the host refuses: nothing will ever be accepted, so the run stops. */
export class WriteKeyRefused extends Error {
  override name = 'WriteKeyRefused';
}

/** A 403: the key may not send these events (Catalog Updated needs a server key); retrying cannot help. */
export class ServerKeyRequired extends Error {
  override name = 'ServerKeyRequired';
}

/** Answers no retry can change: the run (or this sender) stops on them. */
const isRefusal = (error: unknown): error is WriteKeyRefused | ServerKeyRequired => error instanceof WriteKeyRefused || error instanceof ServerKeyRequired;

type Waiting = { events: SegmentMessage[]; done: () => void; fail: (error: unknown) => void };

/**
 * Shoppers hand their step's events here and wait until the host acknowledged them; events of
 * many shoppers share a /v1/batch request, as the calls of many browsers share the collector.
 * Waiting for the acknowledgement before the next step keeps each shopper's own calls in order.
 * 503 and network errors are retried with backoff (the collector's contract: message ids dedupe).
 */
export function createBatchSender(options: BatchSenderOptions) {
  const maxBatch = options.maxBatch ?? 100;
  const flushAfterMs = options.flushAfterMs ?? 10;
  const maxInFlight = options.maxInFlight ?? 4;
  const doFetch = options.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const counts: SendCounts = { accepted: 0, rejected: 0, failed: 0 };
  const listeners: ((counts: SendCounts) => void)[] = [];
  const queue: Waiting[] = [];
  let queued = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let fatal: Error | undefined;

  const post = async (batch: SegmentMessage[]): Promise<{ accepted: number; rejected: number }> => {
    const body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const response = await doFetch(`${options.url}/v1/batch`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        status = response.status;
        const answer = (await response.json().catch(() => ({}))) as { accepted?: number; rejected?: number };
        if (status === 401) throw new WriteKeyRefused(`the host at ${options.url} refused the write key (401); pass --write-key or set NUDGE_WRITE_KEYS`);
        if (status === 403) throw new ServerKeyRequired(`the host at ${options.url} refused these events for this key (403): they need a server write key; pass --server-key or set NUDGE_SERVER_WRITE_KEYS`);
        if (status === 200) return { accepted: answer.accepted ?? batch.length, rejected: answer.rejected ?? 0 };
        if (status === 400) return { accepted: 0, rejected: batch.length };
      } catch (error) {
        if (isRefusal(error)) throw error;
      }
      if (attempt >= 4 || (status !== 0 && status !== 503 && status !== 429)) throw new Error(`POST /v1/batch failed${status ? ` with ${status}` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const taken: Waiting[] = [];
      let size = 0;
      while (queue.length > 0 && size < maxBatch) {
        const next = queue.shift()!;
        taken.push(next);
        size += next.events.length;
      }
      queued -= size;
      inFlight++;
      const events = taken.flatMap((waiting) => waiting.events);
      post(events)
        .then(
          (result) => {
            counts.accepted += result.accepted;
            counts.rejected += result.rejected;
            for (const waiting of taken) waiting.done();
          },
          (error: unknown) => {
            if (isRefusal(error)) fatal = error;
            // A 403 is the host's answer (refused), not a request that never got one.
            if (error instanceof ServerKeyRequired) counts.rejected += events.length;
            else counts.failed += events.length;
            for (const waiting of taken) {
              if (fatal) waiting.fail(fatal);
              else waiting.done();
            }
          },
        )
        .finally(() => {
          inFlight--;
          for (const listener of listeners) listener(counts);
          if (queue.length > 0) flush();
        });
    }
  };

  return {
    counts,
    /** Called after every acknowledged (or failed) request, e.g. to move a progress bar. */
    onProgress: (listener: (counts: SendCounts) => void) => listeners.push(listener),
    /** Resolves once the host answered for these events (accepted, rejected or given up on). */
    send: (events: SegmentMessage[]): Promise<void> => {
      if (fatal) return Promise.reject(fatal);
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((done, fail) => {
        queue.push({ events, done, fail });
        queued += events.length;
        if (queued >= maxBatch) flush();
        else timer ??= setTimeout(flush, flushAfterMs);
      });
    },
  };
}

export type BatchSender = ReturnType<typeof createBatchSender>;
