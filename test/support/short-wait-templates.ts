import { cpSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Copies templates/ to `into` with the cart-abandonment campaign's wait cut to `wait` (e.g. "1s"),
 * so a test or bench sees the reminder within seconds. Returns `into`, for NUDGE_TEMPLATES_DIR.
 */
export function copyTemplatesWithWait(into: string, wait: string): string {
  cpSync('templates', into, { recursive: true });
  const definition = `${into}/cart-abandonment/campaign.yaml`;
  writeFileSync(definition, readFileSync(definition, 'utf8').replace(/^wait: .*$/m, `wait: ${wait}`));
  return into;
}
