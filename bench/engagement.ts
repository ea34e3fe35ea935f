import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteSendLedger } from '../functions/embedded/sqlite-send-ledger.ts';
import { buildClickUrl, signToken } from '../pipelines/delivery/signed-links.ts';

// The engagement figures of `npm run bench`: SendGrid Event Webhook intake in events/s against a
// bare node:http server reading the same signed bodies, measured in the same run. Every request
// carries a fresh batch (new sg_event_ids, a fresh timestamp and its ECDSA signature, made in
// autocannon's setupRequest), for sends seeded in the runtime's send ledger, so each event takes
// the real path: verify, parse, ledger read, email_events row queued on the bus.
type StartServer = (script: string, env: Record<string, string>) => Promise<{ url: string; child: ChildProcess }>;

const eventsPerBatch = 100;
const seededSends = 1000;
const connections = 8;

export async function measureWebhookIntake(options: { seconds: number; startServer: StartServer }) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const runId = Date.now().toString(36);
  let counter = 0;
  const sendIds = Array.from({ length: seededSends }, (_, i) => `bench-send-${i}`);
  const kinds = ['delivered', 'open', 'click', 'processed'] as const;
  const signedBatch = (request: autocannon.Request) => {
    const batch = counter++;
    const timestamp = Math.floor(Date.now() / 1000);
    const events = Array.from({ length: eventsPerBatch }, (_, i) => {
      const event = kinds[i % kinds.length]!;
      return {
        email: 'bench@example.com', timestamp, event, sg_event_id: `${runId}-${batch}-${i}`, sg_message_id: 'bench.filter',
        send_id: sendIds[(batch * eventsPerBatch + i) % seededSends], campaign_id: 'cart-abandonment',
        ...(event === 'click' ? { url: 'https://shop.example/cart', url_offset: { index: 0, type: 'html' } } : {}),
      };
    });
    const body = JSON.stringify(events);
    const signature = sign('sha256', Buffer.from(`${timestamp}${body}`), privateKey).toString('base64');
    return {
      ...request,
      body,
      headers: { ...request.headers, 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': String(timestamp) },
    };
  };

  const run = async (script: string, env: Record<string, string>, dataDir: string) => {
    const server = await options.startServer(script, { ...env, NUDGE_DATA_DIR: dataDir });
    try {
      const load = { url: `${server.url}/webhooks/sendgrid`, method: 'POST' as const, connections, requests: [{ setupRequest: signedBatch }] };
      await autocannon({ ...load, duration: 2 });
      const result = await autocannon({ ...load, duration: options.seconds });
      return { eventsPerSecond: result.requests.average * eventsPerBatch, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  };

  const bareDir = mkdtempSync(join(tmpdir(), 'nudge-bench-bare-'));
  const runtimeDir = mkdtempSync(join(tmpdir(), 'nudge-bench-webhook-'));
  try {
    await seedLedger(join(runtimeDir, 'ledger.db'), sendIds);
    const bare = await run('bench/bare-server.ts', {}, bareDir);
    const runtime = await run(
      'functions/embedded/main.ts',
      { NUDGE_WRITE_KEYS: 'bench-write-key', SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
      runtimeDir,
    );
    return { bare, runtime, eventsPerBatch, connections, seconds: options.seconds };
  } finally {
    rmSync(bareDir, { recursive: true, force: true });
    rmSync(runtimeDir, { recursive: true, force: true });
  }
}

/** Sends the runtime will find in its ledger, as if its mailer had sent them. */
async function seedLedger(database: string, sendIds: string[]): Promise<void> {
  const ledger = createSqliteSendLedger({ database, leaseMs: 60_000 });
  const at = new Date();
  for (const [i, sendId] of sendIds.entries()) {
    await ledger.claim(sendId, { campaign_id: 'cart-abandonment', person_id: `bench-person-${i}`, step: 0, claimed_at: at });
    await ledger.markSent(sendId, { provider: 'outbox', provider_message_id: `${sendId}.eml`, sent_at: at });
  }
  await ledger.close();
}

/**
 * The click redirect (`GET /c/<token>`): latency and throughput of verify token → classify → queue
 * the email_events row → 302, against the bare server answering the same GETs. Tokens are signed
 * with the runtime's own link key (NUDGE_LINK_KEYS), one per link of 1000 sends, like real emails.
 */
export async function measureClickRedirect(options: { seconds: number; startServer: StartServer }) {
  const linkKey = 'bench-link-signing-key-0123456789abcdef0123';
  const iat = Math.floor(Date.now() / 1000) - 3600;
  const paths = Array.from({ length: 1000 }, (_, i) => {
    const token = signToken(
      { kind: 'click', send_id: `bench-send-${i}`, person_id: `bench-person-${i}`, campaign_id: 'cart-abandonment', link_index: i % 6, url: `https://shop.example/products/${i % 50}?utm_source=nudge`, iat, exp: iat + 86_400 * 365 },
      linkKey,
    );
    return new URL(buildClickUrl('http://127.0.0.1', token)).pathname;
  });
  let next = 0;
  const pick = (request: autocannon.Request) => ({ ...request, path: paths[next++ % paths.length]!, headers: { ...request.headers, 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148' } });
  const run = async (script: string, env: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nudge-bench-click-'));
    const server = await options.startServer(script, { ...env, NUDGE_DATA_DIR: dataDir });
    try {
      const load = { url: server.url, method: 'GET' as const, connections, requests: [{ setupRequest: pick }] };
      await autocannon({ ...load, duration: 2 });
      const result = await autocannon({ ...load, duration: options.seconds });
      return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, redirects: result['3xx'], other: result['2xx'] + result['4xx'] + result['5xx'] + result.errors };
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const bare = await run('bench/bare-server.ts', {});
  const runtime = await run('functions/embedded/main.ts', { NUDGE_WRITE_KEYS: 'bench-write-key', NUDGE_LINK_KEYS: linkKey });
  return { bare, runtime, connections, seconds: options.seconds };
}
