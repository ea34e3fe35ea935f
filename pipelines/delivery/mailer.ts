import { z } from 'zod';

/**
 * The Mailer port: hands one rendered email to an ESP. The outbox adapter
 * (functions/embedded/outbox-mailer.ts) writes an .eml file; the SendGrid adapter
 * (functions/gcp/sendgrid-mailer.ts) calls the v3 mail/send API.
 *
 * A mailer does not make sends exactly-once on its own: the send ledger claims `send_id` before
 * the call (pipelines/delivery/send-ledger.ts). How a call fails tells the caller what to do
 * with that claim, hence three error types:
 * - TransientMailerError: the ESP certainly did not accept the email (429, refused
 *   connection) → markFailed(permanent: false) and try again later.
 * - PermanentMailerError: it never will (bad address, rejected payload) → markFailed(permanent: true).
 * - MailerOutcomeUnknownError: the request may have reached the ESP (timeout, connection reset
 *   after sending, a 5xx from a server that may have queued it) → leave the claim as it is; it
 *   becomes in doubt and is resolved with ESP evidence.
 */

export const EmailAddress = z.object({
  email: z.string().trim().min(3).max(320).includes('@'),
  name: z.string().max(200).optional(),
});
export type EmailAddress = z.infer<typeof EmailAddress>;

/**
 * What travels to the ESP alongside the email for its event webhooks. Only identifiers: ESPs
 * keep these in logs and event streams, so personal data must never be put here (strict: an
 * extra key is rejected).
 */
export const CustomArgs = z.strictObject({
  send_id: z.string().min(1).max(200),
  campaign_id: z.string().min(1).max(200),
  variant_id: z.string().min(1).max(200),
});
export type CustomArgs = z.infer<typeof CustomArgs>;

/** Header names the mailer composes itself; a caller setting them would corrupt the message. */
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'reply-to', 'content-type', 'content-transfer-encoding', 'mime-version', 'message-id', 'date']);

export const OutgoingEmail = z.object({
  send_id: z.string().min(1).max(200),
  to: EmailAddress,
  from: EmailAddress.required({ name: true }),
  reply_to: EmailAddress.optional(),
  subject: z.string().min(1).max(998),
  html: z.string().min(1),
  text: z.string().min(1),
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (signed-links.ts). ASCII only. */
  headers: z.record(
    z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'is composed by the mailer'),
    z.string().regex(/^[\x20-\x7e]*$/, 'must be printable ASCII'),
  ),
  /** ESP categories (SendGrid: at most 10). */
  categories: z.array(z.string().min(1).max(255)).max(10),
  custom_args: CustomArgs,
  /**
   * Whether the ESP should track opens and clicks itself (a campaign's `tracking: sendgrid`). Off
   * by default: nudge's links are its own signed click, open and unsubscribe links (or none at
   * all), and an ESP that wrapped them again would count every click twice and break the signature.
   */
  esp_tracking: z.boolean().optional(),
});
export type OutgoingEmail = z.infer<typeof OutgoingEmail>;

export type MailerProvider = 'outbox' | 'sendgrid';
export type MailerResult = { provider: MailerProvider; provider_message_id: string };

export type Mailer = (message: OutgoingEmail) => Promise<MailerResult>;

/** The ESP did not accept the email, and may later: retry (after `retryAfterMs` when known). */
export class TransientMailerError extends Error {
  override readonly name = 'TransientMailerError';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The ESP refused the email and always will: do not retry. */
export class PermanentMailerError extends Error {
  override readonly name = 'PermanentMailerError';
  readonly status: number | undefined;
  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
  }
}

/** The request may or may not have been accepted: neither retry nor give up; leave the claim in doubt. */
export class MailerOutcomeUnknownError extends Error {
  override readonly name = 'MailerOutcomeUnknownError';
  constructor(message: string, details: { cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/**
 * Validates a message before an adapter touches the ESP: an invalid message is a bug upstream
 * that no retry fixes, so it is a PermanentMailerError naming the fields.
 */
export function readOutgoingEmail(message: unknown): OutgoingEmail {
  const parsed = OutgoingEmail.safeParse(message);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`);
  throw new PermanentMailerError(`invalid outgoing email: ${fields.join('; ')}`);
}
