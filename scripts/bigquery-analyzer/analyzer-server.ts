/**
 * Starts Google's ZetaSQL analyzer (the local gRPC server shipped prebuilt inside
 * @fivetrandevelopers/zetasql) on loopback and hands back its client. The package's own
 * `runServer` binds "localhost" on a port the caller picks and keeps the child process in a module
 * variable; here the server listens on 127.0.0.1 only, on a port the kernel reports free, and the
 * caller gets a `stop` that kills it — called on every path, and again at process exit, so no
 * analyzer outlives the check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';

export const analyzerServerDefaults = {
  /** The server prints "Server listening" within a second or two; a cold disk can take longer. */
  startTimeoutMs: 60_000,
};

export type AnalyzerServer = {
  client: ZetaSQLClient;
  port: number;
  pid: number | undefined;
  /** Milliseconds from spawn to the server's first answer (reported by the CLI). */
  startedInMs: number;
  /** What the server printed (its last 4 KB): a crash's CHECK failure is there. */
  output: () => string;
  /** Kills the server; resolves once it has exited (reaped, so no zombie is left either). */
  stop: () => Promise<void>;
};

export class AnalyzerUnavailableError extends Error {
  override name = 'AnalyzerUnavailableError';
}

/** The binary for this machine, inside the package (it ships linux/darwin × x86-64/arm64). */
export function findAnalyzerBinary(): string {
  const require = createRequire(import.meta.url);
  const lib = dirname(require.resolve('@fivetrandevelopers/zetasql'));
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new AnalyzerUnavailableError(`ZetaSQL analyzer: no prebuilt server for ${process.platform} in @fivetrandevelopers/zetasql`);
  }
  const name = `remote_server${process.arch === 'arm64' ? '_arm' : ''}${process.platform === 'linux' ? '.so' : ''}`;
  const binary = join(lib, 'zetasql', name);
  if (!existsSync(binary)) throw new AnalyzerUnavailableError(`ZetaSQL analyzer: ${binary} is missing (npm ci?)`);
  return binary;
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * On Linux the server is started through util-linux's `setpriv --pdeathsig KILL`: the kernel then
 * kills it if this process dies without running its exit hooks (SIGKILL, OOM), which no JavaScript
 * cleanup can cover.
 */
function spawnServer(binary: string, port: number): ChildProcess {
  const args = ['127.0.0.1', String(port)];
  const setpriv = '/usr/bin/setpriv';
  if (process.platform === 'linux' && existsSync(setpriv)) {
    return spawn(setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The port is free when the kernel names it, but another process may take it before the server
 * binds it; the server then exits at once, and a second port is tried (three in all).
 */
export async function startAnalyzerServer(options: Partial<typeof analyzerServerDefaults> = {}): Promise<AnalyzerServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort({ ...analyzerServerDefaults, ...options });
    } catch (error) {
      if (attempt >= 3 || !(error instanceof AnalyzerUnavailableError && /exited at start/.test(error.message))) throw error;
    }
  }
}

async function startOnFreePort({ startTimeoutMs }: typeof analyzerServerDefaults): Promise<AnalyzerServer> {
  const binary = findAnalyzerBinary();
  const port = await findFreeLoopbackPort();
  const started = performance.now();
  const child = spawnServer(binary, port);
  let output = '';
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);

  await new Promise<void>((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer);
      kill();
      process.removeListener('exit', kill);
      reject(new AnalyzerUnavailableError(`ZetaSQL analyzer (${binary}) ${message}${output ? `:\n${output.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${startTimeoutMs} ms`), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4096);
      if (/Server listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited at start (code ${code}, signal ${signal})`));
  });

  // "Server listening" is printed before the port is bound (a taken port then crashes the
  // server), so readiness is a TCP connection to the port, then an answer from the server while
  // it is still alive (the port could be someone else's). Probing with a gRPC call at once would
  // put the channel into its 1 s reconnect backoff on the first refusal.
  const exited = new Promise<'exited'>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve('exited');
    child.once('exit', () => resolve('exited'));
  });
  const exitedAtStart = () =>
    new AnalyzerUnavailableError(`ZetaSQL analyzer (${binary}) exited at start (code ${child.exitCode}, signal ${child.signalCode}):\n${output.trim()}`);
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw exitedAtStart();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  ZetaSQLClient.init(port); // the package's client: a singleton bound to "localhost" (loopback)
  const client = ZetaSQLClient.getInstance();
  const probe = client.formatSql({ sql: 'SELECT 1' }).then(
    () => 'answered' as const,
    (error: unknown) => error,
  );
  const answer = await Promise.race([probe, exited]);
  if (answer !== 'answered') {
    ZetaSQLClient.API.close();
    kill();
    if (answer === 'exited') throw exitedAtStart();
    throw new AnalyzerUnavailableError(`ZetaSQL analyzer (${binary}) did not answer on port ${port}: ${answer instanceof Error ? answer.message : String(answer)}`);
  }
  const startedInMs = performance.now() - started;
  return {
    client,
    port,
    pid: child.pid,
    startedInMs,
    output: () => output,
    stop: async () => {
      ZetaSQLClient.API.close();
      process.removeListener('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      kill();
      await exited;
    },
  };
}
