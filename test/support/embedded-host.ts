import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { readOutboxEmail } from '../../functions/embedded/outbox-mailer.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime, type EmbeddedRuntimeOptions } from '../../functions/embedded/runtime.ts';
import { copyTemplatesWithWait } from './short-wait-templates.ts';

/**
 * An embedded host for an end-to-end test: a fresh data dir, the templates copied with short
 * waits, nobody held out, no quiet hours and no frequency cap (unless `env` says otherwise), one
 * write key that is also a server key. `send` posts a batch over real HTTP; `emailsTo` reads the
 * outbox, optionally of one campaign (the X-Nudge-Campaign-Id header).
 */
export async function startTestHost(input: { prefix: string; waits: Readonly<Record<string, string>>; env?: Readonly<Record<string, string>>; options?: EmbeddedRuntimeOptions }) {
  const writeKey = `${input.prefix}-key`;
  const dataDir = mkdtempSync(join(tmpdir(), `nudge-${input.prefix}-`));
  const { 'cart-abandonment': cartWait = '30m', ...otherWaits } = input.waits;
  const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), cartWait, otherWaits);
  const runtime: EmbeddedRuntime = await startEmbeddedRuntime(
    parseEmbeddedConfig({
      PORT: '0',
      NUDGE_DATA_DIR: dataDir,
      NUDGE_WRITE_KEYS: writeKey,
      NUDGE_SERVER_WRITE_KEYS: writeKey,
      NUDGE_TEMPLATES_DIR: templatesDir,
      NUDGE_HOLDOUT_PERCENT: '0',
      NUDGE_QUIET_HOURS: 'off',
      NUDGE_FREQUENCY_CAP: 'off',
      NUDGE_SHOP_URL: 'https://shop.example',
      ...input.env,
    }),
    input.options ?? { log: () => {} },
  );
  const send = async (batch: readonly Record<string, unknown>[]) => {
    const response = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    assert.equal(response.status, 200, await response.text());
  };
  const emailsTo = async (address: string, campaign?: string) => {
    const files = readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'));
    const emails = await Promise.all(files.map((file) => readOutboxEmail(dataDir, file.replace(/\.eml$/, ''))));
    return emails.filter((email) => email?.to.includes(address) && (campaign === undefined || email.headers['x-nudge-campaign-id'] === campaign));
  };
  const stop = async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { runtime, dataDir, writeKey, send, emailsTo, stop };
}
