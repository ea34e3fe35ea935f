import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded runtime's stand-in for SendGrid's signing key pair, like the development write key:
 * made once per data dir when SENDGRID_WEBHOOK_PUBLIC_KEY is not set, so the webhook still only
 * takes signed events — signed by whoever can read this file (`nudge simulate` does). SendGrid's
 * real events fail against it (403) until the shop sets SENDGRID_WEBHOOK_PUBLIC_KEY.
 */
export const webhookDevKeyFile = 'webhook-dev-key.pem';

export function loadOrCreateWebhookDevKey(dataDir: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const file = join(dataDir, webhookDevKeyFile);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The development private key of a data dir, when one was made (for `nudge simulate`). */
export function readWebhookDevKey(dataDir: string): KeyObject | null {
  try {
    return createPrivateKey(readFileSync(join(dataDir, webhookDevKeyFile), 'utf8'));
  } catch {
    return null;
  }
}
