import { cpSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Copies templates/ to `into` with the cart-abandonment campaign's wait cut to `wait` (e.g. "1s"),
 * and any other campaign's to its entry in `otherWaits`,
 * so a test or bench sees the reminder within seconds. Returns `into`, for NUDGE_TEMPLATES_DIR.
 */
export function copyTemplatesWithWait(into: string, wait: string, otherWaits: Readonly<Record<string, string>> = {}): string {
  cpSync('templates', into, { recursive: true });
  for (const [campaign, campaignWait] of Object.entries({ 'cart-abandonment': wait, ...otherWaits })) {
    const definition = `${into}/${campaign}/campaign.yaml`;
    writeFileSync(definition, readFileSync(definition, 'utf8').replace(/^wait: .*$/m, `wait: ${campaignWait}`));
  }
  return into;
}
