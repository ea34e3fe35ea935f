import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * SendGrid's Signed Event Webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, over the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw body bytes, checked with the
 * verification key SendGrid shows under Mail Settings (base64 DER SubjectPublicKeyInfo).
 *
 * node:crypto verifies it natively. @sendgrid/eventwebhook does the same through a pure-JavaScript
 * ECDSA (starkbank-ecdsa), which is far slower per batch and adds a dependency for three lines;
 * the test signs with a key pair of its own and checks both the good and the tampered cases.
 */
export function parseWebhookPublicKey(base64OrPem: string): KeyObject {
  const text = base64OrPem.trim();
  try {
    const key = text.startsWith('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec') throw new Error(`an ${String(key.asymmetricKeyType)} key`);
    return key;
  } catch (error) {
    throw new Error(`SENDGRID_WEBHOOK_PUBLIC_KEY is not SendGrid's verification key (base64 DER EC public key): ${(error as Error).message}`);
  }
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid' | 'stale' | 'not_seconds';

/** Requests older (or newer) than this are refused, so a captured request cannot be replayed later. */
export const webhookTimestampToleranceSeconds = 300;

export function checkWebhookSignature(input: { key: KeyObject; signature: string | undefined; timestamp: string | undefined; rawBody: Buffer; now: Date }): SignatureCheck {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return 'missing';
  // SendGrid stamps whole seconds; milliseconds (13 digits) are a client bug worth naming.
  if (/^\d{13,}$/.test(timestamp)) return 'not_seconds';
  if (!/^\d{1,12}$/.test(timestamp)) return 'invalid';
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), input.rawBody]);
  // A malformed signature (not base64, not DER) is simply one that does not verify: false, no throw.
  if (!verify('sha256', signed, input.key, Buffer.from(signature, 'base64'))) return 'invalid';
  // Checked after the signature, so a forger learns nothing from which answer they get.
  const age = input.now.getTime() / 1000 - Number(timestamp);
  return Math.abs(age) > webhookTimestampToleranceSeconds ? 'stale' : 'valid';
}
