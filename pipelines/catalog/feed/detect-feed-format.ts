/** The file formats `nudge catalog import` reads. */
export const feedFormats = ['tsv', 'xml', 'jsonl'] as const;
export type FeedFormat = (typeof feedFormats)[number];

/**
 * The format of a feed: by its extension when it has a telling one (.tsv/.txt, .xml, .jsonl/
 * .ndjson), else by its first non-blank character: `<` is XML, `{` JSON lines, anything else a
 * header row of a TSV. Merchant Center's own exports are .txt and .xml.
 */
export function detectFeedFormat(fileName: string, text: string): FeedFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (extension === 'tsv' || extension === 'txt') return 'tsv';
  if (extension === 'xml' || extension === 'rss' || extension === 'atom') return 'xml';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '<' ? 'xml' : first === '{' ? 'jsonl' : 'tsv';
}
