import type { Writable } from 'node:stream';

/**
 * The import's progress on stderr, hand-written because it is a few lines: on a terminal one
 * bar redrawn in place (\r, then ESC[K to clear the rest of the line); into a pipe or a log one
 * plain line each time another 10% is done, so a CI log shows ten lines, not thousands.
 */
export function createImportProgress(out: Writable, total: number): { update: (done: number) => void; finish: () => void } {
  const tty = (out as Partial<NodeJS.WriteStream>).isTTY === true;
  let lastTenth = 0;
  const percent = (done: number) => (total === 0 ? 100 : Math.floor((done / total) * 100));
  return {
    update: (done) => {
      if (tty) {
        const filled = Math.round((percent(done) / 100) * 28);
        out.write(`\rimporting [${'█'.repeat(filled)}${'░'.repeat(28 - filled)}] ${String(percent(done)).padStart(3)}%  ${done}/${total} rows\x1b[K`);
        return;
      }
      const tenth = Math.floor(percent(done) / 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`importing ${tenth * 10}%  ${done}/${total} rows\n`);
      }
    },
    finish: () => {
      if (tty) out.write('\n');
    },
  };
}
