import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';

/**
 * Google's Pub/Sub emulator for the GCP adapter tests: started on 127.0.0.1 on a free port,
 * waited for, and stopped with its whole process group (the launcher forks a JVM).
 * Clients get the emulator endpoint and no credentials, so nothing ever leaves loopback.
 */
export const emulatorProjectId = 'nudge-test';

type Launch = { command: string; args: (port: number) => string[] };

const sdkRootCandidates = (): string[] => {
  const roots = [process.env.CLOUDSDK_ROOT_DIR, '/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
  const gcloud = onPath('gcloud');
  if (gcloud !== undefined) roots.push(dirname(dirname(realpathSync(gcloud))));
  return roots.filter((root): root is string => typeof root === 'string' && root.length > 0);
};

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** How to launch the emulator here, or why it can't be. */
export function findPubSubEmulator(): Launch | { missing: string } {
  if (onPath('java') === undefined || spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) return { missing: 'java not found' };
  for (const root of sdkRootCandidates()) {
    const launcher = join(root, 'platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
    if (existsSync(launcher)) return { command: launcher, args: (port) => [`--host=127.0.0.1`, `--port=${port}`] };
  }
  if (onPath('gcloud') !== undefined) {
    return { command: 'gcloud', args: (port) => ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, `--project=${emulatorProjectId}`, '--quiet'] };
  }
  return { missing: 'neither the Cloud SDK pubsub-emulator component nor gcloud found' };
}

/** undefined when the emulator can run; otherwise prints the visible skip line and returns the reason. */
export function pubSubEmulatorSkip(what: string): string | undefined {
  const found = findPubSubEmulator();
  if (!('missing' in found)) return undefined;
  const reason = `pubsub emulator not available (${found.missing}): ${what} not run`;
  console.log(`# SKIP ${reason}`);
  return reason;
}

export type PubSubEmulator = {
  /** "127.0.0.1:<port>", the value PUBSUB_EMULATOR_HOST would take. */
  host: string;
  projectId: string;
  /** A client bound to this emulator only; close it when done. */
  createClient: () => PubSub;
  stop: () => Promise<void>;
};

export async function startPubSubEmulator(options: { readyTimeoutMs?: number } = {}): Promise<PubSubEmulator> {
  const launch = findPubSubEmulator();
  if ('missing' in launch) throw new Error(`pubsub emulator not available: ${launch.missing}`);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(launch.command, launch.args(port), {
    detached: true, // its own process group, so stop() reaches the JVM the launcher forks
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_CORE_PROJECT: emulatorProjectId },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  };

  try {
    await waitUntilReady(child, `http://${host}/`, options.readyTimeoutMs ?? 90_000, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host,
    projectId: emulatorProjectId,
    createClient: () => new PubSub({ projectId: emulatorProjectId, apiEndpoint: host, emulatorMode: true }),
    stop,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

async function waitUntilReady(child: ChildProcess, url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pubsub emulator exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`pubsub emulator not ready after ${timeoutMs} ms:\n${output()}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
