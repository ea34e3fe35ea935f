/**
 * Rows → CSV as RFC 4180 writes it: a header row of the column names first, CRLF after every
 * record, a field quoted when it holds a comma, a double quote, CR or LF (quotes doubled inside).
 * NULL is an empty field (as BigQuery's CSV export writes it); arrays, structs and JSON values are
 * their JSON text, so a spreadsheet shows what `--format json` would.
 */
export function formatCsv(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const record = (fields: readonly string[]) => fields.map(quoteCsvField).join(',') + '\r\n';
  return record(columns) + rows.map((row) => record(columns.map((column) => toCsvText(row[column])))).join('');
}

function toCsvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function quoteCsvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
