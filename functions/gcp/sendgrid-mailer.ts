import { Client } from '@sendgrid/client';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import {
  MailerOutcomeUnknownError,
  PermanentMailerError,
  TransientMailerError,
  readOutgoingEmail,
  type Mailer,
  type OutgoingEmail,
} from '../../pipelines/delivery/mailer.ts';
import { systemClock, type Clock } from '../../pipelines/shared/clock.ts';

/**
 * The SendGrid Mailer (v3 mail/send through @sendgrid/mail).
 *
 * 429 means SendGrid refused the request before taking it: retried here with exponential
 * backoff, waiting what Retry-After asks when it says (seconds or an HTTP date). A wait longer than
 * maxDelayMs is not slept through — a Cloud Function should not idle for minutes — but handed
 * back as TransientMailerError.retryAfterMs for the caller to reschedule. Other 4xx are
 * PermanentMailerError. A network failure before the request left (refused, DNS) is retried
 * like a 429. A 5xx, and a failure after the request may have arrived (timeout, reset), are
 * MailerOutcomeUnknownError and are NOT retried: a 5xx can come from a server that had already
 * queued the email, and v3 mail/send has no idempotency key, so a blind retry could mail twice.
 * The claim stays in doubt and is settled from SendGrid's activity feed (sendgrid-evidence.ts).
 *
 * SendGrid's own click and open tracking is on only when the message asks for it (a campaign with
 * `tracking: sendgrid`); otherwise it is explicitly off, whatever the account's default, so nudge's
 * own signed click and open links are not wrapped a second time. Subscription tracking is always
 * off: the one-click unsubscribe link is nudge's.
 */

export const SENDGRID_API_BASE = 'https://api.sendgrid.com';
/** EU data residency (needs an EU-pinned subuser and its key). */
export const SENDGRID_EU_API_BASE = 'https://api.eu.sendgrid.com';

export type SendGridMailerDeps = {
  apiKey: string;
  /** SENDGRID_API_BASE. Default the global host. */
  apiBase?: string;
  /** How backoff waits; tests pass a recorder. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per email, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff delay, doubled per attempt. Default 1000 ms. */
  baseDelayMs?: number;
  /** Longest wait slept through (backoff cap; a longer Retry-After gives up instead). Default 30 s. */
  maxDelayMs?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Turns a Retry-After HTTP date into a delay. Default the system clock. */
  clock?: Clock;
};

export function createSendGridMailer(deps: SendGridMailerDeps): Mailer {
  const client = new Client();
  client.setApiKey(deps.apiKey);
  // After setApiKey, which resets baseUrl to the region's host.
  client.setDefaultRequest('baseUrl', deps.apiBase ?? SENDGRID_API_BASE);
  const service = new MailService();
  service.setClient(client);
  service.setTimeout(deps.timeoutMs ?? 10_000);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = Math.max(1, deps.maxAttempts ?? 5);
  const baseDelayMs = deps.baseDelayMs ?? 1000;
  const maxDelayMs = deps.maxDelayMs ?? 30_000;
  const clock = deps.clock ?? systemClock;

  return async (input) => {
    const message = readOutgoingEmail(input);
    const data = toMailData(message);
    for (let attempt = 1; ; attempt++) {
      let failure: TransientMailerError;
      try {
        const [response] = await service.send(data);
        const id = headerOf(response.headers, 'x-message-id');
        // Accepted without an id (never seen in practice): the send_id still finds it through custom_args.
        return { provider: 'sendgrid', provider_message_id: id ?? message.send_id };
      } catch (error) {
        failure = classify(error, clock.now());
      }
      const delay = failure.retryAfterMs ?? Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      if (attempt >= maxAttempts || delay > maxDelayMs) throw failure;
      await sleep(delay);
    }
  };
}

/** The @sendgrid/mail request for one email; exported for tests. */
export function toMailData(message: OutgoingEmail): MailDataRequired {
  return {
    to: { email: message.to.email, ...(message.to.name ? { name: message.to.name } : {}) },
    from: { email: message.from.email, name: message.from.name },
    ...(message.reply_to ? { replyTo: { email: message.reply_to.email, ...(message.reply_to.name ? { name: message.reply_to.name } : {}) } } : {}),
    subject: message.subject,
    // text before html: SendGrid requires text/plain first in `content`.
    text: message.text,
    html: message.html,
    headers: { ...message.headers },
    categories: [...message.categories],
    customArgs: { ...message.custom_args },
    trackingSettings: {
      clickTracking: { enable: message.esp_tracking === true, enableText: message.esp_tracking === true },
      openTracking: { enable: message.esp_tracking === true },
      subscriptionTracking: { enable: false },
    },
  };
}

/** Retryable failures come back as TransientMailerError; anything else is thrown from here. */
function classify(error: unknown, now: Date): TransientMailerError {
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headerOf(responseHeadersOf(error), 'retry-after'), now);
      return new TransientMailerError(`SendGrid answered ${status}`, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), cause: error });
    }
    // Accepted or not, nobody can tell from here: in doubt, resolved from the activity feed.
    if (status >= 500) throw new MailerOutcomeUnknownError(`SendGrid answered ${status}; it may have taken the email`, { cause: error });
    throw new PermanentMailerError(`SendGrid refused the email: ${status} ${describeErrors(error)}`, { status, cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) {
    return new TransientMailerError(`SendGrid unreachable: ${code}`, { cause: error });
  }
  if (typeof code === 'string' || (error as { isAxiosError?: unknown } | null)?.isAxiosError) {
    throw new MailerOutcomeUnknownError(`SendGrid request failed after it may have been sent: ${String(code ?? (error as Error).message)}`, { cause: error });
  }
  // Thrown before any request (e.g. @sendgrid/helpers rejecting the payload).
  throw new PermanentMailerError(`SendGrid request could not be built: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Errors that prove the request never reached SendGrid, so a retry cannot duplicate. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function statusOf(error: unknown): number | undefined {
  // @sendgrid/client rejects HTTP errors with a ResponseError: numeric `code` + `response`.
  const candidate = error as { code?: unknown; response?: unknown } | null;
  return typeof candidate?.code === 'number' && candidate.response ? candidate.code : undefined;
}

function responseHeadersOf(error: unknown): unknown {
  return (error as { response?: { headers?: unknown } }).response?.headers;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

function describeErrors(error: unknown): string {
  const body = (error as { response?: { body?: unknown } }).response?.body as { errors?: Array<{ message?: string; field?: string | null }> } | undefined;
  if (!body?.errors?.length) return (error as Error).message ?? '';
  return body.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : `${e.message}`)).join('; ');
}
