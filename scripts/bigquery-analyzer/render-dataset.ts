/**
 * Renders `${dataset}` as terraform's templatefile() does for sql/ files, and maps the analyzer's
 * positions in the rendered text back to the file as written (the name is shorter than the
 * placeholder, so columns after it move). Another `${…}` would fail templatefile() (an unknown
 * variable), so it fails here too.
 */
const placeholder = /\$\{\s*(\w+)\s*\}/g;

export type RenderedSql = {
  sql: string;
  /** 1-based line and column in the rendered text → the same in the text as written. */
  toOriginal: (line: number, column: number) => { line: number; column: number };
};

export function renderDataset(sql: string, dataset: string): RenderedSql {
  // Per line, where each replacement ends in the rendered text and how many columns it removed.
  const shifts: { at: number; removed: number }[][] = [];
  const lines = sql.split('\n').map((line, index) => {
    const lineShifts: { at: number; removed: number }[] = [];
    let removedSoFar = 0;
    const out = line.replace(placeholder, (match: string, name: string, offset: number) => {
      if (name !== 'dataset') throw new Error(`\${${name}} is not a variable terraform gives sql/ files (only \${dataset})`);
      removedSoFar += match.length - dataset.length;
      lineShifts.push({ at: offset - (removedSoFar - (match.length - dataset.length)) + dataset.length, removed: removedSoFar });
      return dataset;
    });
    shifts[index] = lineShifts;
    return out;
  });
  return {
    sql: lines.join('\n'),
    toOriginal: (line, column) => {
      const lineShifts = shifts[line - 1] ?? [];
      const before = lineShifts.filter((shift) => shift.at < column).at(-1);
      return { line, column: column + (before?.removed ?? 0) };
    },
  };
}
