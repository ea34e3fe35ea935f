import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTemplatesWithWait } from '../test/support/short-wait-templates.ts';

/**
 * Event → email handed to the mailer, for an immediately due cart-abandonment timer under ~1k
 * browse events/s of background load (DESIGN.md §7: p99 < 100 ms; timers ≤ 1 s late embedded).
 *
 * The embedded runtime runs in a child process with the outbox mailer, on a copy of templates/
 * whose wait is the shortest the duration grammar allows (1s; "0s" is rejected), no holdout, no
 * quiet hours and no frequency cap. Each cart is a new person: identify with consent, then one
 * Product Added. Measured from the parent's clock: the 2xx of that Product Added → the moment its
 * .eml file appears in the outbox (fs.watch on the directory), minus the 1 s wait. That spans the
 * bus, the profile fold that arms the timer, the 1 Hz sweep, the decision, the render, the ledger
 * claim and the fsynced file — everything between a shopper's event and the mailer.
 */
export type LatencyOptions = {
  carts: number;
  /** Carts are spread evenly over this long. */
  seconds: number;
  backgroundEventsPerSecond: number;
  writeKey: string;
  startServer: (script: string, env: Record<string, string>) => Promise<{ url: string; child: ChildProcess }>;
};

const waitMs = 1000;

export async function measureEventToMailer(options: LatencyOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-bench-latency-'));
  const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), `${waitMs / 1000}s`);
  const outbox = join(dataDir, 'outbox');
  mkdirSync(outbox, { recursive: true });

  const appeared = new Map<string, number>();
  const watcher = watch(outbox, (_, name) => {
    if (name && name.endsWith('.eml') && !name.startsWith('.') && !appeared.has(name)) appeared.set(name, performance.now());
  });
  const server = await options.startServer('functions/embedded/main.ts', {
    NUDGE_DATA_DIR: dataDir,
    NUDGE_WRITE_KEYS: options.writeKey,
    NUDGE_TEMPLATES_DIR: templatesDir,
    NUDGE_HOLDOUT_PERCENT: '0',
    NUDGE_QUIET_HOURS: 'off',
    NUDGE_FREQUENCY_CAP: 'off',
  });
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const post = async (batch: unknown[]) => {
    const response = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    await response.arrayBuffer();
    return response.ok;
  };

  let background = { sent: 0, failed: 0 };
  const runId = Date.now().toString(36);
  try {
    // Background: browse events in batches of 50, paced to the target rate, for the whole run.
    const batchSize = 50;
    let stopBackground = false;
    const backgroundLoop = (async () => {
      const started = performance.now();
      let batches = 0;
      while (!stopBackground) {
        const due = started + (batches * batchSize * 1000) / options.backgroundEventsPerSecond;
        const ahead = due - performance.now();
        if (ahead > 0) await sleep(ahead);
        const batch = Array.from({ length: batchSize }, (_, i) => browseEvent(`${runId}-bg-${batches}-${i}`, `anon-${(batches * batchSize + i) % 1000}`));
        batches++;
        const ok = await post(batch).catch(() => false);
        background = ok ? { ...background, sent: background.sent + batchSize } : { ...background, failed: background.failed + batchSize };
      }
    })();
    await sleep(1000); // the load is steady before the first cart

    const addedAt = new Map<string, number>();
    const cartsStarted = performance.now();
    let cartFailures = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < options.carts; i++) {
      const due = cartsStarted + (i * options.seconds * 1000) / options.carts;
      const ahead = due - performance.now();
      if (ahead > 0) await sleep(ahead);
      const userId = `bench-${runId}-${i}`;
      sends.push(
        (async () => {
          const identified = await post([{ type: 'identify', userId, messageId: `${userId}-id`, traits: { email: `${userId}@example.com`, first_name: 'Bench', email_marketing_consent: true } }]);
          const added = identified && (await post([productAdded(userId, i)]));
          if (added) addedAt.set(`${userId}@example.com`, performance.now());
          else cartFailures++;
        })(),
      );
    }
    await Promise.all(sends);
    // Every email, or 30 s after the last cart: whichever first.
    const deadline = performance.now() + 30_000;
    while (appeared.size < addedAt.size && performance.now() < deadline) await sleep(100);
    stopBackground = true;
    await backgroundLoop;
    const backgroundSeconds = (performance.now() - cartsStarted + 1000) / 1000;

    // Match each file to its cart by the To: address (one person per cart).
    const latencies: number[] = [];
    for (const [name, at] of appeared) {
      const to = /^To: .*?<?([^<>\s]+@example\.com)>?$/im.exec(readFileSync(join(outbox, name), 'utf8'))?.[1];
      const added = to === undefined ? undefined : addedAt.get(to);
      if (added !== undefined) latencies.push(at - added - waitMs);
    }
    const processing = await queryProcessing(dataDir);
    return {
      carts: options.carts,
      accepted: addedAt.size,
      cartFailures,
      emails: latencies.length,
      latency: percentiles(latencies),
      processing,
      backgroundRate: background.sent / backgroundSeconds,
      backgroundFailed: background.failed,
    };
  } finally {
    watcher.close();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Timer due → decided, and decided → mailer accepted, from the runtime's own clock (warehouse rows). */
async function queryProcessing(dataDir: string) {
  const host = JSON.parse(readFileSync(join(dataDir, 'host.json'), 'utf8')) as { url: string; adminToken: string };
  const sql = `SELECT epoch_ms(s.sent_at) - epoch_ms(d.decided_at) AS ms FROM nudge.email_sends s JOIN nudge.decisions d USING (send_id) WHERE s.status = 'sent'`;
  // The warehouse writer lags the send a little: wait until the rows are in.
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await fetch(`${host.url}/_nudge/query`, { method: 'POST', headers: { authorization: `Bearer ${host.adminToken}` }, body: JSON.stringify({ sql }) });
    const rows = ((await response.json()) as { rows?: { ms: number }[] }).rows ?? [];
    if (rows.length > 0 || attempt === 49) return percentiles(rows.map((row) => Number(row.ms)));
    await sleep(200);
  }
  return percentiles([]);
}

function browseEvent(messageId: string, anonymousId: string) {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId,
    anonymousId,
    properties: { product_id: 'sku-123', name: 'Rain jacket', price: 129, url: 'https://shop.example/p/sku-123' },
  };
}

function productAdded(userId: string, i: number) {
  const productId = `sku-${i % 50}`;
  return {
    type: 'track',
    event: 'Product Added',
    userId,
    messageId: `${userId}-add`,
    properties: { cart_id: `cart-${userId}`, product_id: productId, name: 'Trail boots', price: 89, quantity: 1, image_url: `https://cdn.shop.example/${productId}.jpg`, url: `https://shop.example/p/${productId}` },
  };
}

export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
