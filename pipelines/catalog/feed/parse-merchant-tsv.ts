import type { FeedRowError, MerchantRow } from './feed-row.ts';

/**
 * Reads a Merchant Center tab-delimited feed: a header row of attribute names, then one product
 * per line. By hand rather than with a CSV package, because the format is smaller than CSV:
 * fields are split on tabs, rows on line breaks (LF or CRLF), and the only quoting is Merchant
 * Center's "quoted fields" (on by default for new data sources): a field that starts with `"`
 * runs to the next lone `"`, may hold tabs and line breaks, and writes `"` as `""`. A `"` inside
 * an unquoted field is just a character (12" pan), as Merchant Center reads it.
 *
 * Header names are matched the way shops write them: case-insensitive, with an optional `g:`
 * prefix, and a spreadsheet's "Price [price]" read as `price`. Row labels are the line number
 * the row starts on, so a row with a quoted line break is still found in an editor.
 */
export type ParsedTsv = { rows: MerchantRow[]; errors: FeedRowError[] };

export function parseMerchantTsv(text: string): ParsedTsv {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const errors: FeedRowError[] = [];
  const headerRecord = records.find((record) => !isBlank(record.fields));
  if (!headerRecord) return { rows: [], errors: [{ label: '1', field: '(header)', message: 'The file has no header row of attribute names' }] };
  // A column without a name cannot be mapped and is skipped; a repeated name keeps its values in
  // column order (Merchant Center lets some attributes repeat as columns).
  const header = headerRecord.fields.map(attributeName);
  const rows: MerchantRow[] = [];
  for (const record of records.slice(records.indexOf(headerRecord) + 1)) {
    if (isBlank(record.fields)) continue;
    const label = String(record.line);
    if (record.fields.length > header.length) {
      errors.push({ label, field: '(row)', message: `${record.fields.length} fields, but the header names ${header.length}; a stray tab?` });
      continue;
    }
    if (record.unterminated) {
      errors.push({ label, field: '(row)', message: 'A quoted field is not closed before the end of the file' });
      continue;
    }
    const attributes = new Map<string, string[]>();
    record.fields.forEach((value, i) => {
      const name = header[i]!;
      if (name === '' || value === '') return;
      const values = attributes.get(name);
      if (values) values.push(value);
      else attributes.set(name, [value]);
    });
    rows.push({ label, attributes });
  }
  return { rows, errors };
}

type TsvRecord = { line: number; fields: string[]; unterminated: boolean };

/** Splits into records and fields, honouring quoted fields; `line` is where each record starts (1-based). */
function splitRecords(text: string): TsvRecord[] {
  const records: TsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const record: TsvRecord = { line, fields: [], unterminated: false };
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) {
            record.unterminated = true;
            break;
          }
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        // Anything between the closing quote and the next tab belongs to the field as written.
        while (i < text.length && !atFieldEnd(text, i)) value += text[i++];
      } else {
        const start = i;
        while (i < text.length && !atFieldEnd(text, i)) i++;
        value = text.slice(start, i);
      }
      record.fields.push(value);
      if (text[i] === '\t') {
        i++;
        continue;
      }
      break;
    }
    i += text[i] === '\r' ? 2 : 1;
    line++;
    records.push(record);
  }
  return records;
}

/** A tab, LF or CRLF ends a field; a lone CR is content (as in Merchant Center's reader of LF files). */
function atFieldEnd(text: string, i: number): boolean {
  const c = text[i];
  return c === '\t' || c === '\n' || (c === '\r' && text[i + 1] === '\n');
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

/** "Price [price]" → price, "g:Price" → price, " ID " → id. */
export function attributeName(raw: string): string {
  const trimmed = raw.trim();
  const bracketed = /\[([^\]]+)\]\s*$/.exec(trimmed);
  return (bracketed ? bracketed[1]! : trimmed).trim().toLowerCase().replace(/^g:/, '');
}
