import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { buildImportMessages, type ImportMessage } from '../../../pipelines/catalog/feed/build-import-messages.ts';
import { detectFeedFormat, feedFormats, type FeedFormat } from '../../../pipelines/catalog/feed/detect-feed-format.ts';
import type { FeedRowError } from '../../../pipelines/catalog/feed/feed-row.ts';
import { readCatalogFeed } from '../../../pipelines/catalog/feed/read-catalog-feed.ts';
import { maxPastSkewMs, numberLimits } from '../../../pipelines/events/limits.ts';
import { ConfigError, dataDirOf, parseShopHosts } from '../config.ts';
import { readLiveHost } from '../host-file.ts';
import { createImportProgress } from './import-progress.ts';
import { ImportKeyRefused, postCatalogBatches } from './post-catalog-batches.ts';

export type CatalogImportOptions = {
  file: string;
  format?: string;
  /** Base URL of the collector: default the running host of the data dir (host.json). */
  url?: string;
  /** A server write key: default the first of NUDGE_SERVER_WRITE_KEYS, else the data dir's dev key. */
  writeKey?: string;
  /** --in-stock-quantity, as typed. */
  inStockQuantity?: string;
  dryRun: boolean;
  /** NUDGE_DATA_DIR, NUDGE_SERVER_WRITE_KEYS, NUDGE_SHOP_DOMAINS, NUDGE_SHOP_URL (never process.env directly). */
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  fetch?: typeof fetch;
};

class ImportUsageError extends Error {
  override name = 'ImportUsageError';
}

/**
 * `nudge catalog import <file>`: reads a product feed (Merchant Center TSV or XML, or JSON lines
 * of Catalog Updated properties), checks every row with the collector's own rules, prints each
 * refusal as file:line: attribute: message, and sends every row, refused ones included, to the
 * collector's /v1/batch with a server write key: valid rows update the catalog, refused ones are
 * dead-lettered there, to be fixed and replayed (`nudge dead-letters`). --dry-run only checks.
 *
 * Every row's event time is the file's modification time: the feed describes the catalog as it
 * was when written, so a live stock update sent after it is not overwritten by importing it, and
 * importing the same file again sends the very same events (same messageIds), which change
 * nothing. A row whose sale started or ended after the file was written is stamped then, when its
 * price became true (mapMerchantRow's priceSince), so it wins over an earlier import's price.
 * The time is taken as the file says: a file whose modification time is older than that of a
 * feed imported before it (copied with its time kept: cp -p, unzip, curl -R) loses to it, field
 * by field, like any older update; a warning says when the collector will clamp the time.
 * Exit 0: all accepted; 1: some rows refused (or the send failed); 2: usage.
 */
export async function runCatalogImportCommand(options: CatalogImportOptions, out: Writable, err: Writable): Promise<number> {
  try {
    return await catalogImport(options, out, err);
  } catch (error) {
    err.write(`nudge catalog import: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof ImportUsageError || error instanceof ImportKeyRefused ? 2 : 1;
  }
}

async function catalogImport(options: CatalogImportOptions, out: Writable, err: Writable): Promise<number> {
  const now = options.now ?? (() => new Date());
  const name = basename(options.file);
  let bytes: Buffer;
  let writtenAt: Date;
  try {
    bytes = readFileSync(options.file);
    writtenAt = statSync(options.file).mtime;
  } catch (error) {
    throw new ImportUsageError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const text = bytes.toString('utf8');
  const format = readFormat(options.format, name, text);
  const inStockQuantity = readInStockQuantity(options.inStockQuantity);
  const feed = readCatalogFeed(text, format, { now: now(), inStockQuantity });
  if (feed.needsQuantity.length > 0) {
    throw new ImportUsageError(
      `${feed.needsQuantity.length} in-stock row(s) have no quantity (quantity or sell_on_google_quantity), first ${name}:${feed.needsQuantity[0]}. ` +
        'Pass --in-stock-quantity N to say how many such a row has: back-in-stock alerts compare stock, and a guessed number could never go back up from 0 or hide the next restock.',
    );
  }
  const shopHosts = shopHostsOf(options);
  const messages = buildImportMessages(feed.rows, {
    contentHash: createHash('sha256').update(bytes).digest('hex'),
    timestamp: writtenAt,
    now: now(),
    ...(shopHosts ? { shopHosts } : {}),
  });
  const print = (error: FeedRowError) => out.write(`${name}:${error.label}: ${error.field}: ${error.message}\n`);
  for (const warning of feed.warnings) out.write(`warning: ${name}:${warning.label}: ${warning.field}: ${warning.message}\n`);
  if (writtenAt.getTime() < now().getTime() - maxPastSkewMs) {
    out.write(
      `warning: ${name} was last modified ${writtenAt.toISOString()}, more than 7 days ago: the collector stamps its rows 7 days before it receives them, ` +
        'so they overwrite any update sent after that moment; `touch` the file if it is current\n',
    );
  }
  if (!shopHosts && options.dryRun) out.write(`links not checked: set NUDGE_SHOP_DOMAINS or NUDGE_SHOP_URL as the collector at ${options.url} has them\n`);
  feed.errors.forEach(print);
  const refused = messages.filter((message) => message.errors.length > 0);
  for (const message of refused) message.errors.forEach(print);
  const unreadable = feed.errors.length;
  out.write(`${name} (${format}): ${messages.length} rows, ${messages.length - refused.length} valid, ${refused.length} refused${unreadable ? `, ${unreadable} unreadable` : ''}\n`);

  if (options.dryRun) {
    out.write('dry run: nothing sent\n');
    return refused.length + unreadable > 0 ? 1 : 0;
  }
  const { url, writeKey } = resolveTarget(options);
  const progress = createImportProgress(err, messages.length);
  const outcome = await postCatalogBatches(
    { url, writeKey, ...(options.fetch ? { fetch: options.fetch } : {}), onProgress: progress.update },
    messages.map((message) => message.call),
  );
  progress.finish();
  // Refusals only the collector knew of (e.g. its shop domains): printed here too.
  for (const error of outcome.errors) {
    const message: ImportMessage | undefined = error.index === undefined ? undefined : messages[error.index];
    if (message && message.errors.length === 0) out.write(`${name}:${message.label}: ${error.path}: ${error.message}\n`);
  }
  out.write(`sent to ${url}: ${outcome.accepted} accepted, ${outcome.rejected} refused${outcome.rejected ? ' (dead-lettered: `nudge dead-letters --stage collect`)' : ''}\n`);
  return outcome.rejected + unreadable > 0 ? 1 : 0;
}

function readFormat(flag: string | undefined, name: string, text: string): FeedFormat {
  if (flag === undefined) return detectFeedFormat(name, text);
  if (!(feedFormats as readonly string[]).includes(flag)) throw new ImportUsageError(`--format must be one of ${feedFormats.join(', ')}, got "${flag}"`);
  return flag as FeedFormat;
}

function readInStockQuantity(flag: string | undefined): number | null {
  if (flag === undefined) return null;
  const value = Number(flag);
  if (!/^\d+$/.test(flag.trim()) || value < 1 || value > numberLimits.maxStock) {
    throw new ImportUsageError(`--in-stock-quantity must be a whole number from 1 to ${numberLimits.maxStock}, got "${flag}"`);
  }
  return value;
}

/**
 * The shop domains links must be on, by the host's own rule (parseShopHosts: NUDGE_SHOP_DOMAINS,
 * else NUDGE_SHOP_URL's host, else shop.example), so --dry-run refuses what the import would.
 * A --url collector has its own environment: without either variable here, its rule is unknown,
 * and null says so (its answer still names every refused link after sending).
 */
function shopHostsOf(options: CatalogImportOptions): string[] | null {
  const { env } = options;
  if (options.url !== undefined && !env.NUDGE_SHOP_DOMAINS?.trim() && !env.NUDGE_SHOP_URL?.trim()) return null;
  try {
    return parseShopHosts(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ImportUsageError(error.message);
    throw error;
  }
}

function resolveTarget(options: CatalogImportOptions): { url: string; writeKey: string } {
  const dataDir = dataDirOf(options.env);
  const url = (options.url ?? readLiveHost(dataDir)?.url)?.replace(/\/+$/, '');
  if (!url) throw new ImportUsageError(`no running nudge host for data dir ${dataDir} (host.json); start one with \`npm start\`, or pass --url (e.g. a deployed collect function)`);
  const writeKey = options.writeKey || firstKey(options.env.NUDGE_SERVER_WRITE_KEYS) || readDevWriteKey(dataDir);
  if (!writeKey) throw new ImportUsageError(`no server write key: pass --write-key, set NUDGE_SERVER_WRITE_KEYS, or start the host once so ${join(dataDir, 'dev-write-key')} exists`);
  return { url, writeKey };
}

function firstKey(list: string | undefined): string | null {
  return (list ?? '').split(',').map((key) => key.trim()).find(Boolean) ?? null;
}

function readDevWriteKey(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, 'dev-write-key'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
