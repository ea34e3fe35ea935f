import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import type { HttpEntry } from '../http.ts';
import { encodePushEnvelope } from '../push-envelope.ts';
import type { PushHandler } from './sqlite-bus-dispatcher.ts';

/** Status codes Pub/Sub push takes as an ack; anything else is a nack (retried with backoff). */
const ackStatuses = new Set([102, 200, 201, 202, 204]);

export type PushDeliveryOptions = {
  /** Subscription name, e.g. "on-priority-event"; sent as projects/<projectId>/subscriptions/<name>. */
  subscription: string;
  /** Default "nudge-embedded". */
  projectId?: string;
  /** Request path the entry sees. Default "/". */
  path?: string;
};

/**
 * Turns a push entry (the same HttpEntry a Pub/Sub push subscription calls on GCP) into an
 * embedded subscription handler: each delivery is POSTed to it as the exact push envelope
 * Pub/Sub would send, and answered the way Pub/Sub reads an answer.
 */
export function createPushDelivery(entry: HttpEntry, options: PushDeliveryOptions): PushHandler {
  const subscriptionPath = `projects/${options.projectId ?? 'nudge-embedded'}/subscriptions/${options.subscription}`;
  const path = options.path ?? '/';
  return async (message: ReceivedMessage) => {
    const response = await entry({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'user-agent': 'nudge-embedded-bus' },
      query: new URLSearchParams(),
      rawBody: encodePushEnvelope(message, subscriptionPath),
    });
    if (ackStatuses.has(response.status)) return;
    const body = response.body === undefined ? '' : response.body.toString().slice(0, 500);
    throw new Error(`push endpoint for ${options.subscription} answered ${response.status}${body ? `: ${body}` : ''}`);
  };
}
