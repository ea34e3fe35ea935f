import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run bench`: ingest figures as ratios to a bare node:http server measured in the same run
// (DESIGN.md §7). Servers run in their own processes, the load generator (autocannon) in this one,
// all on 127.0.0.1; every run is bounded in time. Results are printed and written to
// docs/benchmarks.md between the bench markers.
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 8);
const batchSize = 100;
const writeKey = 'bench-write-key';
const idMarker = '[<id>]';
const runId = Date.now().toString(36);
let nextId = 0;
const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

type Server = { url: string; child: ChildProcess; dataDir?: string };

async function main(): Promise<void> {
  const bare = await startServer('bench/bare-server.ts', {});
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-bench-'));
  const nudge = await startServer('functions/embedded/main.ts', { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey });
  nudge.dataDir = dataDir;
  try {
    const single = { path: '/v1/track', body: JSON.stringify(trackEvent('[<id>]')), connections: 16 };
    const batch = { path: '/v1/batch', body: JSON.stringify({ batch: Array.from({ length: batchSize }, (_, i) => trackEvent(`[<id>]-${i}`)) }), connections: 8 };

    const bareSingle = await load(bare.url, single);
    const nudgeSingle = await load(nudge.url, single);
    const bareBatch = await load(bare.url, batch);
    const nudgeBatch = await load(nudge.url, batch);
    const accepted = nudgeSingle.ok + nudgeBatch.ok * batchSize;
    const drain = await measureDrain(nudge, accepted);
    const rssMb = readRssMb(nudge.child.pid!);

    const rows = [
      ['single-event requests (POST /v1/track)', `${fmt(nudgeSingle.rps)} req/s`, `${fmt(bareSingle.rps)} req/s`, ratio(nudgeSingle.rps, bareSingle.rps), `p50 ${nudgeSingle.p50} ms, p99 ${nudgeSingle.p99} ms`, '≥ 0.7×'],
      [`batch endpoint (POST /v1/batch, ${batchSize} events)`, `${fmt(nudgeBatch.rps * batchSize)} events/s`, `${fmt(bareBatch.rps * batchSize)} events/s`, ratio(nudgeBatch.rps, bareBatch.rps), `p50 ${nudgeBatch.p50} ms, p99 ${nudgeBatch.p99} ms`, '≥ 50k events/s'],
    ];
    const table = [
      '| scenario | nudge embedded | bare node:http (same run) | ratio | latency | target |',
      '|---|---|---|---|---|---|',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
    const notes = [
      `- non-2xx answers: single ${nudgeSingle.non2xx}, batch ${nudgeBatch.non2xx}; socket errors: ${nudgeSingle.errors + nudgeBatch.errors}.`,
      `- accepted events drained into the warehouse and profiles: ${drain.done ? `all ${fmt(accepted)} in ${drain.seconds.toFixed(1)} s after the load stopped` : `not all within ${drain.seconds.toFixed(0)} s (${fmt(drain.stored)} of ${fmt(accepted)})`}.`,
      `- resident memory of the embedded runtime after the run: ${rssMb.toFixed(0)} MB (target < 400 MB).`,
      `- ${durationSeconds} s per scenario, autocannon in the parent process, servers in child processes, 127.0.0.1 only; machine: ${process.arch}, Node ${process.version}.`,
    ].join('\n');
    const report = `${table}\n\n${notes}\n`;
    process.stdout.write(`\n${report}`);
    recordInDocs(report);
  } finally {
    for (const server of [bare, nudge]) server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function trackEvent(messageId: string) {
  return {
    type: 'track',
    event: 'Product Viewed',
    messageId,
    anonymousId: 'anon-bench',
    timestamp: new Date().toISOString(),
    properties: { product_id: 'sku-123', name: 'Rain jacket', price: 129, category: 'Outerwear', url: 'https://shop.example/p/sku-123' },
    context: { page: { path: '/p/sku-123' }, userAgent: 'bench' },
  };
}

async function load(url: string, scenario: { path: string; body: string; connections: number }) {
  const options = {
    url: `${url}${scenario.path}`,
    method: 'POST' as const,
    headers: { authorization, 'content-type': 'application/json' },
    connections: scenario.connections,
    // Every event gets a fresh messageId (autocannon's own idReplacement stalls on this Node).
    requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: scenario.body.replaceAll(idMarker, () => `${runId}-${nextId++}`) }) }],
  };
  await autocannon({ ...options, duration: 2 }); // warm-up: JIT, SQLite page cache, keep-alive sockets
  const result = await autocannon({ ...options, duration: durationSeconds });
  return {
    rps: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** How long the runtime takes to fold and store what it accepted (asked through its admin endpoint). */
async function measureDrain(server: Server, accepted: number) {
  const host = JSON.parse(readFileSync(join(server.dataDir!, 'host.json'), 'utf8')) as { url: string; adminToken: string };
  const started = performance.now();
  let stored = 0;
  while (performance.now() - started < 120_000) {
    const response = await fetch(`${host.url}/_nudge/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.adminToken}` },
      body: JSON.stringify({ sql: 'SELECT COUNT(*) AS n FROM nudge.events' }),
    });
    stored = ((await response.json()) as { rows: { n: number }[] }).rows[0]?.n ?? 0;
    if (stored >= accepted) return { done: true, seconds: (performance.now() - started) / 1000, stored };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { done: false, seconds: (performance.now() - started) / 1000, stored };
}

function startServer(script: string, env: Record<string, string>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env, PORT: String(port), METADATA_SERVER_DETECTION: 'none' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const url = `http://127.0.0.1:${port}`;
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    const started = performance.now();
    const poll = async () => {
      try {
        await fetch(`${url}/healthz`);
        return resolve({ url, child });
      } catch {
        if (performance.now() - started > 30_000) return reject(new Error(`${script} did not start`));
        setTimeout(poll, 100);
      }
    };
    void poll();
  });
}

function readRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

function recordInDocs(report: string): void {
  const file = 'docs/benchmarks.md';
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const dated = `${start}\nLast run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${report}${end}`;
  writeFileSync(file, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), dated));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

await main();
