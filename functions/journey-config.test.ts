import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './embedded/config.ts';
import { createSweepTimersEntry } from './gcp/journeys.ts';
import { parseJourneyConfig } from './journey-config.ts';
import { CampaignDefinition } from '../pipelines/campaigns/campaign-definition.ts';
import type { LoadedCampaign } from '../pipelines/content/loaded-campaign.ts';
import { systemClock } from '../pipelines/shared/clock.ts';
import { cartCampaign } from '../test/support/journey-harness.ts';

const env = { NUDGE_LINK_KEYS: 'k'.repeat(32) };

test('NUDGE_TRACK_URL: unset is null (the public URL serves tracking); set, an https or loopback URL', () => {
  assert.equal(parseJourneyConfig(env, null).trackUrl, null);
  assert.equal(parseJourneyConfig({ ...env, NUDGE_TRACK_URL: 'https://track.shop.example/' }, null).trackUrl, 'https://track.shop.example');
  assert.equal(parseJourneyConfig({ ...env, NUDGE_TRACK_URL: 'http://127.0.0.1:8080' }, null).trackUrl, 'http://127.0.0.1:8080');
  for (const bad of ['http://track.shop.example', 'not a url', 'ftp://track.shop.example']) {
    assert.throws(() => parseJourneyConfig({ ...env, NUDGE_TRACK_URL: bad }, null), (error) => error instanceof ConfigError && /NUDGE_TRACK_URL/.test(error.message), bad);
  }
});

test('sweepTimers on GCP refuses a first-party campaign without NUDGE_TRACK_URL (its links would reach the unsubscribe function)', () => {
  const config = parseJourneyConfig({ ...env, SENDGRID_API_KEY: 'SG.x', NUDGE_PUBLIC_URL: 'https://unsubscribe.example' }, null);
  const campaignOf = (tracking: 'first_party' | 'sendgrid') => new Map([['cart-abandonment', { id: 'cart-abandonment', definition: CampaignDefinition.parse({ ...cartCampaign, tracking }) } as unknown as LoadedCampaign]]);
  const deps = (tracking: 'first_party' | 'sendgrid', trackUrl: string | null) =>
    ({ config: { ...config, trackUrl }, campaigns: campaignOf(tracking), store: {}, firestore: {}, pubsub: {}, clock: systemClock, newId: () => 'x', log: () => {} }) as unknown as Parameters<typeof createSweepTimersEntry>[0];
  assert.throws(() => createSweepTimersEntry(deps('first_party', null)), (error) => error instanceof ConfigError && /NUDGE_TRACK_URL.*cart-abandonment/.test(error.message));
  // A campaign tracked by SendGrid needs no track function; the check stops there (the stubs below it are not real clients).
  assert.doesNotThrow(() => {
    try {
      createSweepTimersEntry(deps('sendgrid', null));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
    }
  });
});
