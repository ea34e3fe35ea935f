import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../config-error.ts';
import { parseWebhookPublicKey } from './verify-signature.ts';

/**
 * How the SendGrid Event Webhook is verified:
 *   SENDGRID_WEBHOOK_PUBLIC_KEY   SendGrid's verification key (Mail Settings → Signed Event Webhook).
 *   NUDGE_WEBHOOK_VERIFY=off      no verification — for local tests only, and only when said explicitly.
 * Neither: not configured. The GCP function refuses to start; the embedded runtime verifies with a
 * development key pair of its data dir instead (embedded/webhook-dev-key.ts), as it makes a
 * development write key, so `npm start` and `nudge simulate` work with nothing set.
 */
export type WebhookConfig = { verify: 'signed'; publicKey: KeyObject; devKey?: true } | { verify: 'off' } | { verify: 'unconfigured' };

export function parseWebhookConfig(env: Readonly<Record<string, string | undefined>>): WebhookConfig {
  const setting = (env.NUDGE_WEBHOOK_VERIFY ?? 'on').trim().toLowerCase();
  if (setting !== 'on' && setting !== 'off') throw new ConfigError(`NUDGE_WEBHOOK_VERIFY must be "on" or "off", got "${env.NUDGE_WEBHOOK_VERIFY}"`);
  const key = env.SENDGRID_WEBHOOK_PUBLIC_KEY?.trim();
  if (setting === 'off') {
    if (key) throw new ConfigError('NUDGE_WEBHOOK_VERIFY=off and SENDGRID_WEBHOOK_PUBLIC_KEY are both set: drop one (off is for local tests only)');
    return { verify: 'off' };
  }
  if (!key) return { verify: 'unconfigured' };
  try {
    return { verify: 'signed', publicKey: parseWebhookPublicKey(key) };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
