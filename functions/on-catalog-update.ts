import type { HttpEntry, HttpRequest } from './http.ts';
import { deadLetterRefusal, decodePushedEvent, type Refusal } from './pushed-event.ts';
import type { CatalogStore } from '../pipelines/catalog/catalog-store.ts';
import { checkCatalogLinks } from '../pipelines/catalog/check-catalog-links.ts';
import { InvalidCatalogUpdateError, readCatalogUpdate } from '../pipelines/catalog/read-catalog-update.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import type { Clock } from '../pipelines/shared/clock.ts';
import type { CampaignDefinition } from '../pipelines/campaigns/campaign-definition.ts';
import { mergeCatalogUpdate } from '../pipelines/catalog/apply-catalog-update.ts';
import { detectCatalogTriggers } from '../pipelines/journeys/detect-catalog-triggers.ts';
import { firstFanOutPage, type FanOutPage } from '../pipelines/journeys/fan-out-catalog-trigger.ts';

export type OnCatalogUpdateDeps = {
  catalog: CatalogStore;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newId: () => string;
  /**
   * The shop's domains (NUDGE_SHOP_DOMAINS): links elsewhere are refused here too, since the topic
   * may carry messages from publishers that skipped the collector. Absent: not checked.
   */
  shopHosts?: readonly string[];
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Catalog-driven journeys (back in stock, price drop): the campaigns to check each update
   * against, and where the first fan-out page of a fired trigger goes (the journey-fanout topic).
   * Absent: the catalog is only kept.
   */
  triggers?: { campaigns: readonly CampaignDefinition[]; publishFanOut: (pages: readonly FanOutPage[]) => Promise<void> };
};

/** Stage name on dead letters (`nudge dead-letters --stage catalog`). */
export const CATALOG_STAGE = 'catalog';

/**
 * The push consumer of `events-catalog`: one `Catalog Updated` event per push, merged into its
 * product's catalog item. Acknowledged (204) only once the item is committed, so a crash means
 * redelivery, which the per-field clocks make harmless.
 *
 * A message that is not a valid catalog update (not a push envelope, not a NudgeEvent, another
 * kind, bad properties) can never succeed: it is dead-lettered for a human and acknowledged.
 * A failing store (or dead-letter store) is transient: 500, and Pub/Sub retries with backoff.
 */
export function createOnCatalogUpdateEntry(deps: OnCatalogUpdateDeps): HttpEntry {
  const deadLetter = (refusal: Refusal) => deadLetterRefusal(deps, CATALOG_STAGE, refusal);

  return async (request) => {
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    let eventId: string | undefined;
    try {
      const decoded = decode(request, deps.shopHosts);
      if ('refusal' in decoded) {
        eventId = decoded.refusal.event?.event_id;
        return await deadLetter(decoded.refusal);
      }
      eventId = decoded.event.event_id;
      if (deps.triggers) await publishTriggers(decoded.event, deps.catalog, deps.triggers, deps.log);
      await deps.catalog.applyUpdates([decoded.event]);
      return { status: 204 };
    } catch (error) {
      // The event id is all a reader needs to find the event in the warehouse.
      deps.log?.({ severity: 'ERROR', message: `${CATALOG_STAGE}: update failed`, event_id: eventId, error: String(error) });
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'catalog update failed; retry\n' };
    }
  };
}

/**
 * Publishes the journeys this update starts BEFORE the update is applied: were it the other way
 * round, a crash between the two would leave the update applied and its restock forgotten (a
 * redelivery finds nothing left to change). Published first, a crash means the update comes again
 * and fires the same trigger (same keys: the fan-out and the send ledger dedupe it). Two updates of
 * one product racing may both see the old stock; the step checks live stock before sending.
 */
async function publishTriggers(event: NudgeEvent, catalog: CatalogStore, triggers: NonNullable<OnCatalogUpdateDeps['triggers']>, log: OnCatalogUpdateDeps['log']): Promise<void> {
  const update = readCatalogUpdate(event);
  const before = (await catalog.getItems([update.product_id])).get(update.product_id) ?? null;
  const after = mergeCatalogUpdate(before, update);
  const fired = detectCatalogTriggers(triggers.campaigns, before, after, event.event_id);
  if (fired.length === 0) return;
  await triggers.publishFanOut(fired.map((trigger) => firstFanOutPage(trigger, event.received_at)));
  for (const trigger of fired) log?.({ severity: 'INFO', message: 'catalog trigger fired', kind: trigger.kind, campaign_id: trigger.campaign_id, product_id: trigger.product_id, event_id: trigger.event_id });
}

/** The catalog update a push carries, or why it cannot be one. Other errors are bugs and throw. */
function decode(request: HttpRequest, shopHosts: readonly string[] | undefined): { event: NudgeEvent } | { refusal: Refusal } {
  const pushed = decodePushedEvent(request);
  if ('refusal' in pushed) return pushed;
  const { event, payload } = pushed;
  try {
    readCatalogUpdate(event);
  } catch (error) {
    if (!(error instanceof InvalidCatalogUpdateError)) throw error;
    return { refusal: { reason: error.message, errors: error.errors, payload, event } };
  }
  const linkErrors = shopHosts === undefined ? [] : checkCatalogLinks(event.properties, shopHosts);
  if (linkErrors.length > 0) {
    const summary = linkErrors.map((error) => `${error.path}: ${error.message}`).join('; ');
    return { refusal: { reason: `Catalog update ${event.event_id}: ${summary}`, errors: linkErrors, payload, event } };
  }
  return { event };
}
