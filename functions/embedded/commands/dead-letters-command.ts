import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { dataDirOf } from '../config.ts';
import type Database from 'better-sqlite3';
import type { DeadLetter } from '../../../pipelines/events/dead-letters.ts';
import { createSqliteBus, type DeadLetteredMessage } from '../sqlite-bus.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { createSqliteDeadLetterStore } from '../sqlite-dead-letters.ts';
import { formatTable } from './format-table.ts';

export type DeadLettersOptions = {
  /** A refused-input stage (collect, publish, …) or a bus subscription (on-priority-event, …). */
  stage?: string | undefined;
  limit: number;
  json: boolean;
  /** The id of an undelivered message to put back on its subscription instead of listing. */
  replay?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
};

/**
 * `nudge dead-letters`: every dead letter, newest first, whatever put it there:
 * - refused input (`refused_input`): invalid events with their field errors and exact payload,
 *   to fix and send again (resending as is cannot succeed);
 * - undelivered messages (`undelivered`): what a bus subscription gave up on after its handler
 *   kept failing (or a message that crashed the process again and again), with subscription,
 *   topic, attempts and last error; `--replay <id>` puts one back on its subscription.
 *
 * Both live in bus.db. SQLite lets this process read and write while the host runs (WAL and a
 * busy timeout; unlike DuckDB, which is why `nudge query` goes through the host instead), so
 * the file is opened here; a running host picks a replayed message up on its next poll.
 */
export async function runDeadLettersCommand(options: DeadLettersOptions, out: Writable): Promise<number> {
  if (!Number.isInteger(options.limit) || options.limit <= 0) {
    console.error('nudge: --limit must be a positive integer');
    return 1;
  }
  const dataDir = dataDirOf(options.env);
  const file = join(dataDir, 'bus.db');
  if (!existsSync(file)) {
    if (options.replay !== undefined) {
      console.error(`nudge: no dead letters in ${dataDir}`);
      return 1;
    }
    out.write(options.json ? '' : '(no dead letters)\n');
    return 0;
  }
  const db = openSqliteDatabase(file);
  try {
    return options.replay === undefined ? await listDeadLetters(db, options, out) : replayDeadLetter(db, options.replay, out);
  } finally {
    db.close();
  }
}

type Listed = { at: number; refused: DeadLetter } | { at: number; undelivered: DeadLetteredMessage };

async function listDeadLetters(db: Database.Database, options: DeadLettersOptions, out: Writable): Promise<number> {
  const stage = options.stage || undefined;
  const refused = await createSqliteDeadLetterStore({ db }).list({ limit: options.limit, ...(stage ? { stage } : {}) });
  const undelivered = createSqliteBus({ db }).listNewestDeadLettered({ limit: options.limit, ...(stage ? { subscription: stage } : {}) });
  const listed: Listed[] = [
    ...refused.map((record) => ({ at: Date.parse(record.received_at), refused: record })),
    ...undelivered.map((message) => ({ at: Date.parse(message.deadLetteredAt), undelivered: message })),
  ]
    .sort((a, b) => b.at - a.at)
    .slice(0, options.limit);

  if (options.json) {
    out.write(listed.map((entry) => JSON.stringify('refused' in entry ? { kind: 'refused_input', ...entry.refused } : toJson(entry.undelivered))).join('\n') + (listed.length ? '\n' : ''));
    return 0;
  }
  if (listed.length === 0) {
    out.write('(no dead letters)\n');
    return 0;
  }
  out.write(formatTable(listed.map(toRow)));
  if (listed.some((entry) => 'undelivered' in entry)) out.write('Put an undelivered message back on its subscription: npx nudge dead-letters --replay <id>\n');
  return 0;
}

function replayDeadLetter(db: Database.Database, id: string, out: Writable): number {
  if (!/^[1-9]\d{0,15}$/.test(id)) {
    console.error(`nudge: --replay takes the id of an undelivered message (a number), got "${id}"; refused input is fixed and sent again instead`);
    return 1;
  }
  let replayed;
  try {
    replayed = createSqliteBus({ db }).replayDeadLetter(Number(id));
  } catch (error) {
    console.error(`nudge: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (replayed === null) {
    console.error(`nudge: no undelivered message with id ${id} (see npx nudge dead-letters)`);
    return 1;
  }
  out.write(`Replayed ${id} to ${replayed.subscription} (topic ${replayed.topic}) as a new message; the running host delivers it within its poll, else the next start does.\n`);
  return 0;
}

function toRow(entry: Listed): Record<string, string> {
  if ('refused' in entry) {
    const record = entry.refused;
    return {
      at: record.received_at,
      kind: 'refused_input',
      id: '',
      origin: record.source_id ? `${record.stage} (${record.source_id})` : record.stage,
      attempts: '',
      error: shorten(record.reason, 100),
      payload: shorten(record.payload, 80),
    };
  }
  const message = entry.undelivered;
  return {
    at: message.deadLetteredAt,
    kind: 'undelivered',
    id: String(message.id),
    origin: `${message.subscription} <- ${message.topic}`,
    attempts: message.interruptions > 0 ? `${message.attempts} (+${message.interruptions} interrupted)` : String(message.attempts),
    error: shorten(message.lastError ?? '', 100),
    payload: shorten(toText(message.data) ?? `(${message.data.length} bytes, binary)`, 80),
  };
}

function toJson(message: DeadLetteredMessage): Record<string, unknown> {
  const text = toText(message.data);
  return {
    kind: 'undelivered',
    id: String(message.id),
    subscription: message.subscription,
    topic: message.topic,
    message_id: message.messageId,
    attempts: message.attempts,
    interruptions: message.interruptions,
    last_error: message.lastError,
    dead_lettered_at: message.deadLetteredAt,
    publish_time: message.publishTime,
    attributes: message.attributes,
    ...(text === null ? { data: message.data.toString('base64'), data_encoding: 'base64' } : { data: text }),
  };
}

/** The message as text when it is valid UTF-8 (the event envelopes are JSON), else null. */
function toText(data: Buffer): string | null {
  const text = data.toString('utf8');
  return Buffer.from(text, 'utf8').equals(data) ? text : null;
}

function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
