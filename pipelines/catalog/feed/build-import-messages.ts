import type { FieldError } from '../../events/dead-letters.ts';
import { validatePayload } from '../../events/validate-payload.ts';
import type { FeedRowError } from './feed-row.ts';

/** A row ready to send: its label, the properties it becomes, and which feed attribute each came from. */
export type ImportRow = { label: string; properties: unknown; fields?: Readonly<Record<string, string>> };

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
  /** SHA-256 (hex) of the file's bytes: with the row label, the messageId. */
  contentHash: string;
  /** The event time of every row: when the feed was written (see the command). */
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
 * same message. The messageId depends only on the file's content and the row, so importing the
 * same file again sends the same events, which every consumer dedupes.
 */
export function buildImportMessages(rows: readonly ImportRow[], options: BuildImportOptions): ImportMessage[] {
  const hash = options.contentHash.slice(0, 24);
  return rows.map((row) => {
    const call: CatalogTrackCall = {
      type: 'track',
      event: 'Catalog Updated',
      messageId: `catalog-import-${hash}-${row.label.replace(/\s+/g, '-')}`,
      userId: importUserId,
      timestamp: options.timestamp.toISOString(),
      properties: row.properties,
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
