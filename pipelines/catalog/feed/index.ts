/** Catalog feeds: Merchant Center TSV and XML, and JSON lines, read into `Catalog Updated` calls. */
export { buildImportMessages, feedErrorOf, importUserId, type CatalogTrackCall, type ImportMessage, type ImportRow } from './build-import-messages.ts';
export { detectFeedFormat, feedFormats, type FeedFormat } from './detect-feed-format.ts';
export type { FeedRowError, MerchantRow, PropertiesRow } from './feed-row.ts';
export { mapMerchantRow, maxTags, saleWindowIncludes, splitPrice, type MappedRow } from './map-merchant-row.ts';
export { readCatalogFeed, type CatalogFeed } from './read-catalog-feed.ts';
