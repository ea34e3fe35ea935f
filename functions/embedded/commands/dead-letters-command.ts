import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { parseEmbeddedConfig } from '../config.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { createSqliteDeadLetterStore } from '../sqlite-dead-letters.ts';
import { formatTable } from './format-table.ts';

/** `nudge dead-letters`: refused input, newest first, with the field errors and the payload to fix and replay. */
export async function runDeadLettersCommand(
  options: { stage?: string; limit: number; json: boolean; env: Readonly<Record<string, string | undefined>> },
  out: Writable,
): Promise<number> {
  if (!Number.isInteger(options.limit) || options.limit <= 0) {
    console.error('nudge: --limit must be a positive integer');
    return 1;
  }
  const { dataDir } = parseEmbeddedConfig({ ...options.env, NUDGE_WRITE_KEYS: options.env.NUDGE_WRITE_KEYS || 'unused-by-this-command' });
  const file = join(dataDir, 'bus.db');
  if (!existsSync(file)) {
    out.write(options.json ? '' : '(no dead letters)\n');
    return 0;
  }
  const db = openSqliteDatabase(file);
  try {
    const records = await createSqliteDeadLetterStore({ db }).list({ limit: options.limit, ...(options.stage ? { stage: options.stage } : {}) });
    if (options.json) {
      out.write(records.map((record) => JSON.stringify(record)).join('\n') + (records.length ? '\n' : ''));
    } else {
      out.write(
        formatTable(
          records.map((record) => ({
            received_at: record.received_at,
            stage: record.stage,
            source_id: record.source_id,
            reason: record.reason,
            payload: record.payload.length > 80 ? `${record.payload.slice(0, 77)}...` : record.payload,
          })),
        ),
      );
    }
    return 0;
  } finally {
    db.close();
  }
}
