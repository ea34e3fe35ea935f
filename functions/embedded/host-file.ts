import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DuckDB lets one process hold a database file. While the embedded runtime runs, the CLI therefore
 * asks the running host (over loopback, with a token only readable from the data dir) instead of
 * opening the warehouse itself; host.json tells it where the host is.
 */
export type HostFile = { pid: number; url: string; adminToken: string };

const fileName = 'host.json';

export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

export function writeHostFile(dataDir: string, host: HostFile): void {
  writeFileSync(join(dataDir, fileName), JSON.stringify(host), { mode: 0o600 });
}

export function removeHostFile(dataDir: string, pid: number): void {
  const current = readHostFile(dataDir);
  if (current?.pid === pid) rmSync(join(dataDir, fileName), { force: true });
}

/** The running host of this data dir, or null when none is alive. */
export function readLiveHost(dataDir: string): HostFile | null {
  const host = readHostFile(dataDir);
  if (!host) return null;
  try {
    process.kill(host.pid, 0);
    return host;
  } catch {
    return null;
  }
}

function readHostFile(dataDir: string): HostFile | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, fileName), 'utf8')) as HostFile;
  } catch {
    return null;
  }
}
