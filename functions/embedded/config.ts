import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseJourneyConfig, type JourneyConfig } from '../journey-config.ts';

/** A setting is wrong; the message names the variable and what is expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type EmbeddedConfig = {
  port: number;
  host: string;
  dataDir: string;
  writeKeys: string[];
  /** Set when NUDGE_WRITE_KEYS was unset and a development key was created or reused. */
  devWriteKey: string | null;
  /**
   * false = ingest only: events are accepted and stored on the bus but not processed here (a
   * collector-only host; the next start with consumers on works through the backlog).
   */
  consumers: boolean;
  journeys: JourneyConfig;
};

/** Every tunable of the embedded runtime, with its default and why (DESIGN.md §8). */
export const embeddedDefaults = {
  port: 8080,
  /** Loopback by default: the embedded host is for laptops, tests and small shops behind a proxy. */
  host: '127.0.0.1',
  dataDir: './.nudge',
} as const;

/** Parsed once at start from the environment passed in (never read process.env elsewhere). */
export function parseEmbeddedConfig(env: Readonly<Record<string, string | undefined>>): EmbeddedConfig {
  const port = env.PORT === undefined || env.PORT === '' ? embeddedDefaults.port : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${env.PORT}"`);
  }
  const dataDir = resolve(env.NUDGE_DATA_DIR || embeddedDefaults.dataDir);
  const host = env.NUDGE_HOST || embeddedDefaults.host;
  const listed = (env.NUDGE_WRITE_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (env.NUDGE_WRITE_KEYS !== undefined && env.NUDGE_WRITE_KEYS.trim() !== '' && listed.length === 0) {
    throw new ConfigError('NUDGE_WRITE_KEYS must be a comma-separated list of keys');
  }
  const consumersSetting = (env.NUDGE_CONSUMERS ?? 'on').trim().toLowerCase();
  if (consumersSetting !== 'on' && consumersSetting !== 'off') throw new ConfigError(`NUDGE_CONSUMERS must be "on" or "off", got "${env.NUDGE_CONSUMERS}"`);
  const consumers = consumersSetting === 'on';
  const journeys = parseJourneyConfig(env, dataDir);
  if (listed.length > 0) return { port, host, dataDir, writeKeys: listed, devWriteKey: null, consumers, journeys };
  const devWriteKey = loadOrCreateDevWriteKey(dataDir);
  return { port, host, dataDir, writeKeys: [devWriteKey], devWriteKey, consumers, journeys };
}

/** One development key per data dir, created once so curl examples keep working across restarts. */
function loadOrCreateDevWriteKey(dataDir: string): string {
  const file = join(dataDir, 'dev-write-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `dev_${randomBytes(16).toString('hex')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
