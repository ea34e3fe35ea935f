import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentiles } from './latency.ts';
import { readBusStatus } from '../functions/embedded/commands/read-bus-status.ts';
import { copyTemplatesWithWait } from '../test/support/short-wait-templates.ts';

/**
 * The journeys beyond the cart (issue 9), on the embedded runtime in a child process with the
 * outbox mailer, holdout 0, quiet hours and frequency cap off, waits cut in a copied templates folder:
 *
 * 1. last view → browse email in the outbox, under ~1k browse events/s of background load: each
 *    shopper is a new person (identify with consent, then two Product Viewed); timed in this
 *    process from the 2xx of the last view to the .eml appearing (fs.watch), minus the cut wait.
 * 2. a restock of one item with N people waiting (Back In Stock Requested while it is sold out):
 *    from the 2xx of the Catalog Updated that brings stock back to the last back-in-stock decision
 *    (the runtime's own decided_at), with the child's resident memory sampled throughout. The
 *    baseline, measured in the same run and process: how long the same runtime takes to take in
 *    and fold those N people's own events (identify + request: 2N events) until all are in the
 *    warehouse — the work per person nudge does anyway, against which the fan-out (pages on the
 *    bus, timers armed in batches) and N decisions, renders and sends are set.
 */
export type JourneysBenchOptions = {
  writeKey: string;
  startServer: (script: string, env: Record<string, string>) => Promise<{ url: string; child: ChildProcess }>;
  /** Browse shoppers, spread over `seconds`. */
  shoppers: number;
  seconds: number;
  backgroundEventsPerSecond: number;
  /** People waiting for the restocked item. */
  waiting: number;
  /** Gives up on the restock after this long (the run stops by itself). */
  restockTimeoutMs: number;
};

const browseWaitMs = 2000;
const restockWaitMs = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Runtime = { url: string; child: ChildProcess; dataDir: string; post: (batch: unknown[]) => Promise<boolean>; query: (sql: string) => Promise<Record<string, unknown>[]>; stop: () => Promise<void> };

async function startRuntime(options: JourneysBenchOptions, prefix: string): Promise<Runtime> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '30m', {
    'browse-abandonment': `${browseWaitMs / 1000}s`,
    'back-in-stock': `${restockWaitMs / 1000}s`,
    'price-drop': '2m',
  });
  mkdirSync(join(dataDir, 'outbox'), { recursive: true });
  const server = await options.startServer('functions/embedded/main.ts', {
    NUDGE_DATA_DIR: dataDir,
    NUDGE_WRITE_KEYS: options.writeKey,
    NUDGE_SERVER_WRITE_KEYS: options.writeKey,
    NUDGE_TEMPLATES_DIR: templatesDir,
    NUDGE_HOLDOUT_PERCENT: '0',
    NUDGE_QUIET_HOURS: 'off',
    NUDGE_FREQUENCY_CAP: 'off',
  });
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const host = JSON.parse(readFileSync(join(dataDir, 'host.json'), 'utf8')) as { url: string; adminToken: string };
  return {
    ...server,
    dataDir,
    post: async (batch) => {
      const response = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
      await response.arrayBuffer();
      return response.ok;
    },
    query: async (sql) => {
      const response = await fetch(`${host.url}/_nudge/query`, { method: 'POST', headers: { authorization: `Bearer ${host.adminToken}` }, body: JSON.stringify({ sql }) });
      return ((await response.json()) as { rows?: Record<string, unknown>[] }).rows ?? [];
    },
    stop: async () => {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small catalog with categories and tags, so the browse email's recommendations have material. */
function catalogEvents(runId: string) {
  const categories = ['Jackets', 'Shoes', 'Bags', 'Knitwear'];
  return Array.from({ length: 40 }, (_, i) => ({
    type: 'track',
    event: 'Catalog Updated',
    userId: 'bench-catalog',
    messageId: `${runId}-catalog-${i}`,
    properties: {
      product_id: `sku-${i}`,
      name: `Product ${i}`,
      price: 40 + (i % 10) * 10,
      currency: 'EUR',
      stock: 50,
      category: categories[i % categories.length],
      tags: [`tag-${i % 5}`, 'bench'],
      url: `https://shop.example/p/sku-${i}`,
      image_url: `https://cdn.shop.example/sku-${i}.jpg`,
    },
  }));
}

const view = (messageId: string, ids: { userId?: string; anonymousId?: string }, productId: string) => ({
  type: 'track',
  event: 'Product Viewed',
  messageId,
  ...ids,
  properties: { product_id: productId, name: `Product ${productId.slice(4)}`, price: 50, currency: 'EUR', url: `https://shop.example/p/${productId}` },
});

export async function measureBrowseToEmail(options: JourneysBenchOptions) {
  const runtime = await startRuntime(options, 'nudge-bench-browse-');
  const outbox = join(runtime.dataDir, 'outbox');
  const appeared = new Map<string, number>();
  const watcher = watch(outbox, (_, name) => {
    if (name && name.endsWith('.eml') && !name.startsWith('.') && !appeared.has(name)) appeared.set(name, performance.now());
  });
  const runId = Date.now().toString(36);
  let background = { sent: 0, failed: 0 };
  try {
    await runtime.post(catalogEvents(runId));
    let stopBackground = false;
    const batchSize = 50;
    // Anonymous shoppers viewing products: browse timers of their own (no email: decided and skipped).
    const backgroundLoop = (async () => {
      const started = performance.now();
      let batches = 0;
      while (!stopBackground) {
        const ahead = started + (batches * batchSize * 1000) / options.backgroundEventsPerSecond - performance.now();
        if (ahead > 0) await sleep(ahead);
        const batch = Array.from({ length: batchSize }, (_, i) => view(`${runId}-bg-${batches}-${i}`, { anonymousId: `anon-${(batches * batchSize + i) % 1000}` }, `sku-${i % 40}`));
        batches++;
        const ok = await runtime.post(batch).catch(() => false);
        background = ok ? { ...background, sent: background.sent + batchSize } : { ...background, failed: background.failed + batchSize };
      }
    })();
    await sleep(1000);

    const lastViewAt = new Map<string, number>();
    let failures = 0;
    const started = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < options.shoppers; i++) {
      const ahead = started + (i * options.seconds * 1000) / options.shoppers - performance.now();
      if (ahead > 0) await sleep(ahead);
      const userId = `browser-${runId}-${i}`;
      sends.push(
        (async () => {
          const ok =
            (await runtime.post([{ type: 'identify', userId, messageId: `${userId}-id`, traits: { email: `${userId}@example.com`, first_name: 'Bench', email_marketing_consent: true } }])) &&
            (await runtime.post([view(`${userId}-v1`, { userId }, `sku-${i % 40}`)])) &&
            (await runtime.post([view(`${userId}-v2`, { userId }, `sku-${(i + 1) % 40}`)]));
          if (ok) lastViewAt.set(`${userId}@example.com`, performance.now());
          else failures++;
        })(),
      );
    }
    await Promise.all(sends);
    const deadline = performance.now() + 30_000 + browseWaitMs;
    while (appeared.size < lastViewAt.size && performance.now() < deadline) await sleep(100);
    stopBackground = true;
    await backgroundLoop;
    const backgroundSeconds = (performance.now() - started + 1000) / 1000;

    const latencies: number[] = [];
    for (const [name, at] of appeared) {
      const to = /^To: .*?<?([^<>\s]+@example\.com)>?$/im.exec(readFileSync(join(outbox, name), 'utf8'))?.[1];
      const viewed = to === undefined ? undefined : lastViewAt.get(to);
      if (viewed !== undefined) latencies.push(at - viewed - browseWaitMs);
    }
    return {
      shoppers: options.shoppers,
      accepted: lastViewAt.size,
      failures,
      emails: latencies.length,
      waitMs: browseWaitMs,
      latency: percentiles(latencies),
      backgroundRate: background.sent / backgroundSeconds,
      backgroundFailed: background.failed,
    };
  } finally {
    watcher.close();
    await runtime.stop();
  }
}

function readMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(/^\w+:\s+(\d+)/.exec(status.split('\n').find((line) => line.startsWith(`${name}:`)) ?? '')?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

export async function measureRestockFanOut(options: JourneysBenchOptions) {
  const runtime = await startRuntime(options, 'nudge-bench-restock-');
  const runId = Date.now().toString(36);
  const productId = 'tent-1';
  const count = async (sql: string) => Number((await runtime.query(sql))[0]?.n ?? 0);
  try {
    await runtime.post([{ type: 'track', event: 'Catalog Updated', userId: 'bench-catalog', messageId: `${runId}-tent-0`, properties: { product_id: productId, name: 'Two-person tent', price: 249, currency: 'EUR', stock: 0, category: 'Camping', tags: ['tent'], url: 'https://shop.example/p/tent-1' } }]);
    await sleep(500);

    // Baseline: the waiting people's own events (identify + Back In Stock Requested), taken in and folded.
    const events = Array.from({ length: options.waiting }, (_, i) => {
      const userId = `waiter-${runId}-${i}`;
      return [
        { type: 'identify', userId, messageId: `${userId}-id`, traits: { email: `${userId}@example.com`, email_marketing_consent: true } },
        { type: 'track', event: 'Back In Stock Requested', userId, messageId: `${userId}-ask`, properties: { product_id: productId } },
      ];
    }).flat();
    const before = await count('SELECT COUNT(*) AS n FROM nudge.events');
    const foldStarted = performance.now();
    for (let start = 0; start < events.length; start += 4 * 100) {
      await Promise.all([0, 1, 2, 3].map((k) => events.slice(start + k * 100, start + (k + 1) * 100)).filter((batch) => batch.length > 0).map((batch) => runtime.post(batch)));
    }
    // Done when every consumer has acked everything: profiles, the interest store (which the
    // restock's audience is read from) and the warehouse each have their own subscription.
    let stored = 0;
    while (performance.now() - foldStarted < options.restockTimeoutMs) {
      stored = (await count('SELECT COUNT(*) AS n FROM nudge.events')) - before;
      const backlog = readBusStatus(join(runtime.dataDir, 'bus.db'), new Date()).subscriptions.reduce((sum, subscription) => sum + subscription.backlog, 0);
      if (stored >= events.length && backlog === 0) break;
      await sleep(200);
    }
    const foldSeconds = (performance.now() - foldStarted) / 1000;
    const memoryBefore = readMemoryMb(runtime.child.pid!);

    // The restock: enough stock that stock × the campaign's factor (3) covers everyone.
    const restockStartedWall = Date.now();
    const restockStarted = performance.now();
    await runtime.post([{ type: 'track', event: 'Catalog Updated', userId: 'bench-catalog', messageId: `${runId}-tent-restock`, properties: { product_id: productId, stock: Math.ceil(options.waiting / 3) + 1 } }]);
    const acceptedWall = Date.now();
    let peakRss = memoryBefore.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, readMemoryMb(runtime.child.pid!).rss);
    }, 200);
    let decided = 0;
    try {
      while (performance.now() - restockStarted < options.restockTimeoutMs) {
        decided = await count("SELECT COUNT(DISTINCT send_id) AS n FROM nudge.decisions WHERE campaign_id = 'back-in-stock'");
        if (decided >= options.waiting) break;
        await sleep(500);
      }
    } finally {
      clearInterval(sampler);
    }
    const [row] = await runtime.query("SELECT epoch_ms(MAX(decided_at)) AS last, epoch_ms(MIN(decided_at)) AS first, COUNTIF(outcome = 'send') AS sends FROM nudge.decisions WHERE campaign_id = 'back-in-stock'");
    const last = Number(row?.last ?? NaN);
    const sentEmails = await count("SELECT COUNT(*) AS n FROM nudge.email_sends WHERE campaign_id = 'back-in-stock' AND status = 'sent'");
    return {
      waiting: options.waiting,
      events: events.length,
      stored,
      foldSeconds,
      decided,
      sends: Number(row?.sends ?? 0),
      sentEmails,
      // From the 2xx of the restock (wall clock, as decided_at) to the last decision.
      restockSeconds: (last - acceptedWall) / 1000,
      firstDecisionSeconds: (Number(row?.first ?? NaN) - acceptedWall) / 1000,
      restockRequestMs: acceptedWall - restockStartedWall,
      waitMs: restockWaitMs,
      rssBeforeMb: memoryBefore.rss,
      peakRssMb: peakRss,
      processPeakMb: readMemoryMb(runtime.child.pid!).peak,
    };
  } finally {
    await runtime.stop();
  }
}
