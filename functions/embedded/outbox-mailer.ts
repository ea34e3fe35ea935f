import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { readOutgoingEmail, type Mailer, type OutgoingEmail } from '../../pipelines/delivery/mailer.ts';
import { assertSendId } from '../../pipelines/delivery/send-ledger.ts';
import { systemClock, type Clock } from '../../pipelines/shared/clock.ts';
import { parseEml, parseEmlHeaders } from './outbox-eml.ts';

/**
 * The embedded runtime's ESP: each email becomes a standard RFC 5322 file
 * `${dataDir}/outbox/<send_id>.eml` that any mail client opens.
 *
 * One send_id can never make two files: the message is written to a hidden temp file, fsynced,
 * then hard-linked to its final name — link() fails when that name exists, so of two concurrent
 * (or repeated) sends exactly one file survives, and every caller gets the same id back. The
 * file's existence is therefore the ESP evidence that resolves an in-doubt ledger claim.
 *
 * The SendGrid custom_args and categories are kept as X-Nudge-* headers, so the file carries
 * what the ESP would have recorded.
 */

export const OUTBOX_DIR = 'outbox';

export type OutboxMailerDeps = {
  dataDir: string;
  /** Sets the Date header. Default: the system clock. */
  clock?: Clock;
};

export function outboxPath(dataDir: string, send_id: string): string {
  assertSendId(send_id);
  return join(dataDir, OUTBOX_DIR, `${send_id}.eml`);
}

export function createOutboxMailer(deps: OutboxMailerDeps): Mailer {
  const clock = deps.clock ?? systemClock;
  const dir = join(deps.dataDir, OUTBOX_DIR);
  return async (input) => {
    const message = readOutgoingEmail(input);
    const path = outboxPath(deps.dataDir, message.send_id);
    const result = { provider: 'outbox', provider_message_id: message.send_id } as const;
    if (await exists(path)) return result;

    await mkdir(dir, { recursive: true });
    const raw = await composeEml(message, clock.now());
    const temp = join(dir, `.${message.send_id}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(raw);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temp, path);
      await syncDirectory(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    return result;
  };
}

/** The email as RFC 5322 bytes: multipart/alternative (text, then html), CRLF line ends. */
export async function composeEml(message: OutgoingEmail, date: Date): Promise<Buffer> {
  const composer = new MailComposer({
    from: { name: message.from.name, address: message.from.email },
    to: [message.to.name ? { name: message.to.name, address: message.to.email } : message.to.email],
    ...(message.reply_to ? { replyTo: message.reply_to.name ? { name: message.reply_to.name, address: message.reply_to.email } : message.reply_to.email } : {}),
    subject: message.subject,
    // RFC 5322 lines end in CRLF; MailComposer keeps the body's own line ends.
    text: crlf(message.text),
    html: crlf(message.html),
    messageId: `<${message.send_id}@${domainOf(message.from.email)}>`,
    date,
    headers: {
      ...message.headers,
      'X-Nudge-Send-Id': message.custom_args.send_id,
      'X-Nudge-Campaign-Id': message.custom_args.campaign_id,
      'X-Nudge-Variant-Id': message.custom_args.variant_id,
      ...(message.categories.length > 0 ? { 'X-Nudge-Categories': message.categories.join(', ') } : {}),
    },
  });
  return composer.compile().build();
}

export type OutboxSummary = {
  send_id: string;
  file: string;
  bytes: number;
  to: string;
  from: string;
  subject: string;
  /** The Date header as ISO 8601, or null when unreadable. */
  date: string | null;
};

export type OutboxEmail = OutboxSummary & {
  raw: string;
  /** Lower-cased name → decoded value. */
  headers: Record<string, string>;
  text: string | null;
  html: string | null;
};

/** Every email in the outbox, newest first (by Date header, then send_id). Empty when there is no outbox yet. */
export async function listOutbox(dataDir: string): Promise<OutboxSummary[]> {
  const dir = join(dataDir, OUTBOX_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const summaries: OutboxSummary[] = [];
  for (const name of names) {
    // Hidden temp files of sends in progress (or of a crash) are not emails.
    if (name.startsWith('.') || !name.endsWith('.eml')) continue;
    const file = join(dir, name);
    const raw = await readFile(file, 'utf8');
    summaries.push(summarise(name.slice(0, -'.eml'.length), file, raw, parseEmlHeaders(raw)));
  }
  return summaries.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.send_id.localeCompare(b.send_id));
}

/** One email, parsed; null when there is none for this send_id (or the id could not be one). */
export async function readOutboxEmail(dataDir: string, send_id: string): Promise<OutboxEmail | null> {
  let file: string;
  try {
    file = outboxPath(dataDir, send_id);
  } catch {
    return null;
  }
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = parseEml(raw);
  return { ...summarise(send_id, file, raw, parsed.headers), raw, headers: parsed.headers, text: parsed.text, html: parsed.html };
}

function summarise(send_id: string, file: string, raw: string, headers: Record<string, string>): OutboxSummary {
  const date = headers.date ? new Date(headers.date) : null;
  return {
    send_id,
    file,
    bytes: Buffer.byteLength(raw),
    to: headers.to ?? '',
    from: headers.from ?? '',
    subject: headers.subject ?? '',
    date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
  };
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1) || 'nudge.invalid';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Makes the new directory entry itself durable; best effort where directories cannot be opened. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported on this platform
  }
}
