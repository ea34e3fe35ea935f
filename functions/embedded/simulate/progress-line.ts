import type { Writable } from 'node:stream';

/**
 * A one-line progress bar, hand-written rather than a package for one line of output: on a
 * terminal the line is redrawn in place with \r (and cleared to its end with ESC[K); into a pipe
 * or file it becomes a plain line at most every `plainEveryMs`, so logs stay readable.
 */
export type ProgressLine = {
  update: (done: number, total: number, detail: string) => void;
  /** Draws the final state and ends the line. */
  finish: (done: number, total: number, detail: string) => void;
};

export function createProgressLine(out: Writable, label: string, options: { width?: number; plainEveryMs?: number; now?: () => number } = {}): ProgressLine {
  const tty = (out as Partial<NodeJS.WriteStream>).isTTY === true;
  const width = options.width ?? 28;
  const plainEveryMs = options.plainEveryMs ?? 2000;
  const now = options.now ?? (() => Date.now());
  let lastPlain = -Infinity;

  const render = (done: number, total: number, detail: string) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * width);
    const bar = tty ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ` : '';
    return `${label} ${bar}${String(Math.floor(share * 100)).padStart(3)}%  ${detail}`;
  };

  return {
    update: (done, total, detail) => {
      if (tty) {
        out.write(`\r${render(done, total, detail)}\x1b[K`);
        return;
      }
      if (now() - lastPlain < plainEveryMs) return;
      lastPlain = now();
      out.write(`${render(done, total, detail)}\n`);
    },
    finish: (done, total, detail) => {
      out.write(tty ? `\r${render(done, total, detail)}\x1b[K\n` : `${render(done, total, detail)}\n`);
    },
  };
}
