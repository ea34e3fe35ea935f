import { z } from 'zod';
import type { ReceivedMessage } from '../pipelines/events/bus.ts';

/**
 * The JSON body Pub/Sub POSTs to a push endpoint (non-wrapped payload):
 * https://cloud.google.com/pubsub/docs/push#receive_push. The embedded dispatcher encodes its
 * deliveries into the very same envelope, so a push entry decodes one format on both runtimes.
 */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Expected standard base64');

export const PushEnvelope = z.object({
  message: z.object({
    /** Absent when the message only carries attributes. */
    data: Base64.optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().min(1).optional(),
    /** Pub/Sub sends both spellings; older clients only read the snake_case ones. */
    message_id: z.string().min(1).optional(),
    publishTime: z.string().min(1).optional(),
    publish_time: z.string().min(1).optional(),
  }),
  subscription: z.string().min(1),
  /** Only present when the subscription has a dead-letter policy. */
  deliveryAttempt: z.number().int().positive().optional(),
});
export type PushEnvelope = z.infer<typeof PushEnvelope>;

/** The one error a push entry turns into a 400 (the body is not a push envelope: retrying won't help). */
export class PushEnvelopeError extends Error {
  override readonly name = 'PushEnvelopeError';
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** Reads a push body (raw bytes, JSON text, or an already parsed object) into a ReceivedMessage. */
export function decodePushEnvelope(body: Buffer | unknown): ReceivedMessage {
  const parsed = parseBody(body);
  const result = PushEnvelope.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const summary = issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; ');
    throw new PushEnvelopeError(`Not a Pub/Sub push envelope: ${summary}`, issues);
  }
  const { message, deliveryAttempt } = result.data;
  const messageId = message.messageId ?? message.message_id;
  const publishTime = message.publishTime ?? message.publish_time;
  if (messageId === undefined) throw new PushEnvelopeError('Not a Pub/Sub push envelope: message.messageId is missing', [{ path: 'message.messageId', message: 'Required' }]);
  if (publishTime === undefined) throw new PushEnvelopeError('Not a Pub/Sub push envelope: message.publishTime is missing', [{ path: 'message.publishTime', message: 'Required' }]);
  return {
    data: Buffer.from(message.data ?? '', 'base64'),
    attributes: message.attributes ?? {},
    messageId,
    publishTime,
    deliveryAttempt: deliveryAttempt ?? 1,
  };
}

/** The push body Pub/Sub would send for `message` on `subscription` (a full subscription path). */
export function encodePushEnvelope(message: ReceivedMessage, subscription: string): Buffer {
  const envelope: PushEnvelope = {
    message: {
      data: message.data.toString('base64'),
      attributes: message.attributes,
      messageId: message.messageId,
      message_id: message.messageId,
      publishTime: message.publishTime,
      publish_time: message.publishTime,
    },
    subscription,
    deliveryAttempt: message.deliveryAttempt,
  };
  return Buffer.from(JSON.stringify(envelope));
}

function parseBody(body: unknown): unknown {
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const text = body.toString();
    try {
      return JSON.parse(text);
    } catch {
      throw new PushEnvelopeError('Not a Pub/Sub push envelope: the body is not JSON', [{ path: '', message: 'Invalid JSON' }]);
    }
  }
  return body;
}
