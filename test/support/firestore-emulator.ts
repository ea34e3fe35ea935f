import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { after } from 'node:test';
import { Firestore } from '@google-cloud/firestore';

/**
 * Google's Firestore emulator for adapter tests: started on 127.0.0.1 at a free port, one per
 * test file, its whole process group killed afterwards. Tests stay apart by collection prefix
 * (uniqueCollectionPrefix) instead of paying for a restart.
 */

export type FirestoreEmulator = {
  /** "127.0.0.1:<port>" */
  host: string;
  projectId: string;
  /** A client wired to this emulator; the caller terminate()s it before stop(). */
  createClient: () => Firestore;
  stop: () => Promise<void>;
};

export type FirestoreEmulatorLauncher = { command: string; args: (host: string, port: number) => string[] };

/**
 * How to run the emulator here, or why it cannot run. Synchronous (no spawning) so a test file
 * can decide `{ skip }` while registering its tests. Prefers the SDK's own launcher script over
 * `gcloud emulators firestore start`, which adds a Python start-up for nothing.
 */
export function findFirestoreEmulator(): FirestoreEmulatorLauncher | { missing: string } {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : findOnPath('java');
  if (!java || !isExecutable(java)) return { missing: 'java not found' };
  const gcloud = findOnPath('gcloud');
  const sdkRoots = [process.env.CLOUDSDK_ROOT_DIR, gcloud && dirname(dirname(realpathSync(gcloud))), '/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
  for (const root of sdkRoots) {
    const launcher = root && join(root, 'platform', 'cloud-firestore-emulator', 'cloud_firestore_emulator');
    if (launcher && isExecutable(launcher)) {
      return { command: launcher, args: (host, port) => ['start', '--host', host, '--port', String(port)] };
    }
  }
  if (gcloud) return { command: gcloud, args: (host, port) => ['emulators', 'firestore', 'start', `--host-port=${host}:${port}`] };
  return { missing: 'gcloud and the cloud-firestore-emulator component not found' };
}

export async function startFirestoreEmulator(options: { projectId?: string; startTimeoutMs?: number } = {}): Promise<FirestoreEmulator> {
  const found = findFirestoreEmulator();
  if ('missing' in found) throw new Error(`Firestore emulator not available: ${found.missing}`);
  const projectId = options.projectId ?? 'nudge-test';
  const port = await findFreePort();
  const host = `127.0.0.1:${port}`;
  // detached: the launcher is a shell script that forks java; its own process group lets stop()
  // kill both at once.
  const child = spawn(found.command, found.args('127.0.0.1', port), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keepLog = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  try {
    await waitUntilReady(host, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    killGroup(child, 'SIGKILL');
    throw new Error(`${(error as Error).message}\n--- emulator output ---\n${log}`);
  }

  return {
    host,
    projectId,
    createClient: () => {
      // The SDK lets FIRESTORE_EMULATOR_HOST override `host`; a stray one would send tests elsewhere.
      const fromEnv = process.env.FIRESTORE_EMULATOR_HOST;
      if (fromEnv && fromEnv !== host) throw new Error(`FIRESTORE_EMULATOR_HOST=${fromEnv} would override the test emulator at ${host}; unset it`);
      return new Firestore({ projectId, host, ssl: false, credentials: { client_email: 'test@example.com', private_key: '' } });
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A collection prefix no other test (or earlier run against the same emulator) uses. */
export function uniqueCollectionPrefix(label = 't'): string {
  return `${label}_${randomBytes(6).toString('hex')}_`;
}

async function waitUntilReady(host: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (gone) throw new Error('Firestore emulator exited before it was ready');
    try {
      // The emulator answers "Ok" on / once it accepts requests.
      const response = await fetch(`http://${host}/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Firestore emulator not ready on ${host} after ${timeoutMs} ms`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = dir && join(dir, name);
    if (candidate && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a test file that runs Firestore suites: one emulator and one client for the whole file,
 * started on first use and stopped after the file (tests stay apart by collection prefix), and a
 * visible SKIP line plus a skip reason when the machine has no emulator.
 */
export function useSharedFirestoreEmulator(what: string): { skip: string | undefined; connect: () => Promise<{ client: Firestore }> } {
  const found = findFirestoreEmulator();
  const skip = 'missing' in found ? `firestore emulator not available (${found.missing}): ${what} not run` : undefined;
  if (skip) console.log(`# SKIP ${skip}`);
  let started: Promise<{ emulator: FirestoreEmulator; client: Firestore }> | undefined;
  after(async () => {
    if (!started) return;
    const { emulator, client } = await started;
    await client.terminate();
    await emulator.stop();
  });
  return {
    skip,
    connect: () => (started ??= startFirestoreEmulator().then((emulator) => ({ emulator, client: emulator.createClient() }))),
  };
}
