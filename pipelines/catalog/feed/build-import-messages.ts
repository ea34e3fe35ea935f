import { createHash } from 'node:crypto';
import type { FieldError } from '../../events/dead-letters.ts';
import { validatePayload } from '../../events/validate-payload.ts';
import type { FeedRowError } from './feed-row.ts';

/**
 * A row ready to send: its label, the properties it becomes, and which feed attribute each came
 * from. `since`: when those properties became true, if later than the file (a sale window's start
 * or end, see mapMerchantRow): the row is stamped no earlier.
 */
export type ImportRow = { label: string; properties: unknown; fields?: Readonly<Record<string, string>>; since?: Date };

/** A Segment `track` call as /v1/batch takes it. */
export type CatalogTrackCall = {
  type: 'track';
  event: 'Catalog Updated';
  messageId: string;
  userId: string;
  timestamp: string;
  properties: unknown;
};

/** One row's call, and why the collector will refuse it (empty: it will be accepted). */
export type ImportMessage = { label: string; call: CatalogTrackCall; errors: FeedRowError[] };

export type BuildImportOptions = {
  /** SHA-256 (hex) of the file's bytes: with the row label and what the row sends, the messageId. */
  contentHash: string;
  /** The event time of every row (a later `since` wins): when the feed was written (see the command). */
  timestamp: Date;
  /** The collector's clock, for the checks that read it. */
  now: Date;
  /** NUDGE_SHOP_DOMAINS when known here, so link errors show before sending. */
  shopHosts?: readonly string[];
};

/** Who the updates are from, as the warehouse's `user_id` shows it. */
export const importUserId = 'catalog-import';

/**
 * Turns rows into the `Catalog Updated` calls the import sends, each checked with the collector's
 * own validatePayload (as a server key's call), so a row refused here is refused there with the
 * same message.
 *
 * The messageId (the event id every consumer dedupes by) names the file and row and hashes what is
 * sent: the exact properties JSON and the event time. What a row sends also depends on `now` (a
 * sale window) and --in-stock-quantity, so the file alone cannot fix the id: importing the same
 * file again with the same outcome sends the same events, which change nothing, and a row whose
 * outcome changed is a new event, never deduped away as a redelivery of the old one.
 *
 * Non-finite numbers (JSON `1e309`) are sent as strings: JSON.stringify would send them as null,
 * which the collector reads as "keep the stored value" and accepts, a row refused here applied there.
 */
export function buildImportMessages(rows: readonly ImportRow[], options: BuildImportOptions): ImportMessage[] {
  const hash = options.contentHash.slice(0, 24);
  return rows.map((row) => {
    const timestamp = (row.since && row.since > options.timestamp ? row.since : options.timestamp).toISOString();
    const properties = finiteOrText(row.properties);
    const sent = createHash('sha256').update(JSON.stringify([timestamp, properties])).digest('hex').slice(0, 16);
    const call: CatalogTrackCall = {
      type: 'track',
      event: 'Catalog Updated',
      messageId: `catalog-import-${hash}-${row.label.replace(/\s+/g, '-')}-${sent}`,
      userId: importUserId,
      timestamp,
      properties,
    };
    const result = validatePayload(call, 'track', {
      receivedAt: options.now,
      source: 'import',
      sourceId: null,
      newEventId: () => call.messageId,
      serverKey: true,
      ...(options.shopHosts ? { shopHosts: options.shopHosts } : {}),
    });
    return { label: row.label, call, errors: result.errors.map((error) => feedErrorOf(row, error)) };
  });
}

/** A collector field error in the feed's words: properties.price → the attribute price came from. */
export function feedErrorOf(row: Pick<ImportRow, 'label' | 'fields'>, error: FieldError): FeedRowError {
  const [head, property, ...rest] = error.path.split('.');
  if (head !== 'properties') return { label: row.label, field: error.path || '(row)', message: error.message };
  if (property === undefined) return { label: row.label, field: row.fields ? 'price or availability' : '(row)', message: error.message };
  const attribute = row.fields?.[property] ?? property;
  return { label: row.label, field: [attribute, ...rest].join('.'), message: error.message };
}

/** A copy with every non-finite number (Infinity, NaN) as a string, as JSON can carry it; the rest as is. */
function finiteOrText(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.some(hasNonFinite) ? value.map(finiteOrText) : value;
  if (value !== null && typeof value === 'object' && hasNonFinite(value)) {
    // defineProperty, never assignment: a key named __proto__ stays a plain key.
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) Object.defineProperty(copy, key, { value: finiteOrText(inner), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(hasNonFinite);
}
