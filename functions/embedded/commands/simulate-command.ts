import type { Writable } from 'node:stream';
import { createBatchSender, ServerKeyRequired, type BatchSender } from '../simulate/batch-sender.ts';
import { formatSummary, summarise, type SimulationSummary } from '../simulate/format-summary.ts';
import { createProgressLine } from '../simulate/progress-line.ts';
import { buildSimulationScript, catalogChanges, tallyScript, type ScriptTally, type SegmentMessage, type ShopperPlan } from '../simulate/shopper-script.ts';
import { cartCampaignId, createAdminQuery, createOutcomeReader, type ReadOutcomes, type SimulationOutcomes } from '../simulate/simulation-outcomes.ts';
import { defaultEngagementOdds, type EngagementOdds } from '../simulate/engagement-plan.ts';
import { runEngagementPhase, type EngagementPhaseResult } from '../simulate/engagement-phase.ts';
import { readWebhookDevKey } from '../webhook-dev-key.ts';
import { formatDuration, resolveSimulateSettings, SimulateUsageError, type JourneyCampaign, type SimulateFlags, type SimulateSettings } from '../simulate/simulation-settings.ts';

export type SimulateOptions = SimulateFlags & {
  /** Prefix of every id (users, carts, emails); default a fresh one per run, so re-running on the same data dir starts from new profiles. */
  runId?: string;
  /** Shoppers browsing at the same time. */
  concurrency?: number;
  /** How often the warehouse is asked while waiting for emails. */
  pollEveryMs?: number;
  /** After the emails: opens, clicks and orders (and the held-out people's orders). Default on. */
  engagement?: boolean;
  /** The engagement draw's probabilities (defaultEngagementOdds where not given). */
  odds?: Partial<EngagementOdds>;
};

export const simulateDefaults = { shoppers: 200, seed: 7, paceMs: 20, concurrency: 25, pollEveryMs: 1000 } as const;

/**
 * `nudge simulate`: synthetic shoppers over the real HTTP endpoints of a running host (browsing,
 * carts, identify with or without consent, orders and abandoned carts, waiting for a sold-out
 * product, watching a price), the shop's catalog before them and its restocks and price cuts
 * after, then waits for every journey's decisions and emails and prints what happened. Returns the summary; throws
 * SimulateUsageError for settings it cannot work with.
 */
export async function simulate(options: SimulateOptions, out: Writable): Promise<SimulationSummary> {
  const settings = resolveSimulateSettings(options);
  const odds = { ...defaultEngagementOdds, ...options.odds };
  for (const [name, value] of Object.entries(odds)) {
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new SimulateUsageError(`${name} must be a probability between 0 and 1, got ${value}`);
  }
  if (odds.baselineConversion + odds.uplift > 1) throw new SimulateUsageError(`--conversion-baseline + --conversion-uplift must be at most 1, got ${odds.baselineConversion + odds.uplift}`);
  const runId = options.runId ?? Date.now().toString(36);
  // The run id goes into SQL text and message ids.
  if (!/^[a-z0-9-]{1,40}$/.test(runId)) throw new SimulateUsageError(`run id must be lower-case letters, digits and dashes, got "${runId}"`);
  const script = buildSimulationScript({ seed: options.seed, shoppers: options.shoppers, runId });
  const tally = tallyScript(script);
  const since = new Date();
  const sender = createBatchSender({ url: settings.url, writeKey: settings.writeKey });
  const readOutcomes = createOutcomeReader({ url: settings.url, adminToken: settings.adminToken, dataDir: settings.dataDir, since });

  out.write(`Simulating ${tally.shoppers} shoppers (seed ${script.seed}, run ${runId}) against ${settings.url}: ${tally.events} events, pace ${options.paceMs} ms\n`);
  if (settings.hint) out.write(`hint: ${settings.hint}\n`);

  const catalogLoaded = await sendWithServerKey(script.setup, 'the catalog and its stock', settings, sender, out);
  await driveShoppers(script.shoppers, sender, tally, options, out);
  // The shop restocks and cuts prices once the shoppers have shown their interest.
  const changesAccepted = await sendWithServerKey(script.changes, 'the restocks and price cuts', settings, sender, out);
  const catalogChanged = catalogLoaded && changesAccepted;
  if (catalogChanged) out.write(`Catalog changes: ${tally.restocks} products back in stock, ${tally.priceCuts} prices cut by ${catalogChanges.priceCutPercent}%\n`);
  const expected = expectedDecisions(tally, settings.campaigns, catalogChanged);

  let outcomes = await readOutcomes();
  if (settings.waitForMs > 0) {
    const waits = settings.campaigns.filter((campaign) => expected.some((entry) => entry.campaign_id === campaign.id) && campaign.waitMs !== null).map((campaign) => `${campaign.id} ${formatDuration(campaign.waitMs!)}`);
    out.write(`Waiting up to ${formatDuration(settings.waitForMs)} for the journeys' emails${waits.length === 0 ? (settings.campaignWaitMs === null ? '' : ` (campaign wait ${formatDuration(settings.campaignWaitMs)})`) : ` (waits: ${waits.join(', ')})`}\n`);
    outcomes = await waitForEmails(readOutcomes, outcomes, tally, expected, settings.waitForMs, options.pollEveryMs ?? simulateDefaults.pollEveryMs, out);
  }
  let engagement: EngagementPhaseResult | null = null;
  if (options.engagement !== false && settings.adminToken && settings.waitForMs > 0) {
    out.write('Shoppers open, click and buy after the emails (held-out shoppers buy at the baseline rate)\n');
    engagement = await runEngagementPhase({
      url: settings.url,
      query: createAdminQuery({ url: settings.url, adminToken: settings.adminToken }),
      // A sender of its own: the summary's event counts stay the script's.
      sender: createBatchSender({ url: settings.url, writeKey: settings.writeKey }),
      webhookKey: readWebhookDevKey(settings.dataDir),
      since,
      runId,
      seed: script.seed,
      odds,
      waitForMs: settings.waitForMs,
    });
  }
  const summary = summarise({ run_id: runId, seed: script.seed, script: tally, events: sender.counts, outcomes, engagement, expected });
  out.write(formatSummary(summary));
  return summary;
}

/**
 * Catalog Updated goes with the server key, on a sender of its own so a 403 does not stop the
 * shoppers: without the catalog the run is still a cart and browse demo, so it says so and goes
 * on. True when the host accepted the events.
 */
async function sendWithServerKey(events: SegmentMessage[], what: string, settings: SimulateSettings, shoppersSender: BatchSender, out: Writable): Promise<boolean> {
  const sender = createBatchSender({ url: settings.url, writeKey: settings.serverKey });
  let accepted = true;
  try {
    await sender.send(events);
  } catch (error) {
    if (!(error instanceof ServerKeyRequired)) throw error;
    out.write(`warning: ${error.message}; going on without the ${events.length} Catalog Updated events (${what})\n`);
    accepted = false;
  }
  for (const outcome of ['accepted', 'rejected', 'failed'] as const) shoppersSender.counts[outcome] += sender.counts[outcome];
  return accepted && sender.counts.accepted === events.length;
}

/** How many first emails each journey should decide: one per shopper planned for it (a person each). */
export type ExpectedDecisions = { campaign_id: string; trigger: string; journey: string; decisions: number; withConsent: number }[];

/**
 * Each abandoned cart is decided by the cart journey; every shopper who viewed, added nothing and
 * gave an address by the browse follow-up (waiters and watchers too: they browsed); each waiter by back in stock and
 * each watcher by price drop — when the host accepted the catalog and its changes. Campaigns are
 * found by trigger in the templates folder simulate reads (the host's, when run with the same
 * NUDGE_TEMPLATES_DIR); without it the shipped folder names are assumed.
 */
export function expectedDecisions(tally: ScriptTally, campaigns: readonly JourneyCampaign[], catalogChanged: boolean): ExpectedDecisions {
  const shipped: Record<string, string> = { cart_abandoned: cartCampaignId, browse_abandoned: 'browse-abandonment', back_in_stock: 'back-in-stock', price_drop: 'price-drop' };
  const idsOf = (trigger: string) => (campaigns.length === 0 ? [shipped[trigger]!] : campaigns.filter((campaign) => campaign.trigger === trigger).map((campaign) => campaign.id));
  // withConsent: the emails certain to go out (a browse email to a waiter or watcher may or may not
  // come before their restock or drop email, which outranks it in the journey window).
  const wanted: [string, string, number, number][] = [
    ['cart_abandoned', 'abandoned carts', tally.abandoned, tally.abandonedWithConsent],
    // Browse timers are armed only for people nudge has an address for (plan-browse-timers.ts).
    ['browse_abandoned', 'shoppers who added nothing and gave an address', tally.browsersWithAddress, tally.browsedWithConsent],
    ['back_in_stock', 'waiters for a restock', catalogChanged ? tally.waiting : 0, catalogChanged ? tally.waitingWithConsent : 0],
    ['price_drop', 'price watchers', catalogChanged ? tally.watching : 0, catalogChanged ? tally.watchingWithConsent : 0],
  ];
  return wanted.flatMap(([trigger, journey, decisions, withConsent]) => idsOf(trigger).map((campaign_id) => ({ campaign_id, trigger, journey, decisions, withConsent })));
}

/** The CLI wrapper: usage errors become a message and exit code 2, a failed run exit code 1. */
export async function runSimulateCommand(options: SimulateOptions, out: Writable): Promise<number> {
  try {
    const summary = await simulate(options, out);
    return summary.events.accepted > 0 ? 0 : 1;
  } catch (error) {
    console.error(`nudge simulate: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof SimulateUsageError ? 2 : 1;
  }
}

async function driveShoppers(shoppers: ShopperPlan[], sender: BatchSender, tally: ScriptTally, options: SimulateOptions, out: Writable): Promise<void> {
  const progress = createProgressLine(out, 'shoppers');
  let finished = 0;
  const detail = () => `${finished}/${shoppers.length} shoppers · ${sender.counts.accepted} events accepted${sender.counts.rejected ? `, ${sender.counts.rejected} rejected` : ''}`;
  const acknowledged = () => sender.counts.accepted + sender.counts.rejected + sender.counts.failed;
  sender.onProgress(() => progress.update(acknowledged(), tally.events, detail()));

  let next = 0;
  const worker = async () => {
    while (next < shoppers.length) {
      const shopper = shoppers[next++]!;
      for (const step of shopper.steps) {
        await sender.send(step.events);
        const pause = step.pause * options.paceMs;
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
      finished++;
    }
  };
  const workers = Math.min(options.concurrency ?? simulateDefaults.concurrency, shoppers.length);
  await Promise.all(Array.from({ length: workers }, worker));
  progress.finish(acknowledged(), tally.events, detail());
}

/**
 * Polls until every abandoned cart has its first decision and every send decision its email, or
 * the time is up. A deferred decision (quiet hours) counts as decided: its email comes hours later.
 */
async function waitForEmails(
  readOutcomes: ReadOutcomes,
  first: SimulationOutcomes,
  tally: ScriptTally,
  expected: ExpectedDecisions,
  waitForMs: number,
  pollEveryMs: number,
  out: Writable,
): Promise<SimulationOutcomes> {
  const progress = createProgressLine(out, 'emails  ');
  const deadline = Date.now() + waitForMs;
  let outcomes = first;
  const decidedOf = (o: SimulationOutcomes, campaignId: string) => o.campaigns?.find((campaign) => campaign.campaign_id === campaignId)?.decided ?? 0;
  const expectedTotal = expected.reduce((sum, entry) => sum + entry.decisions, 0);
  const decidedTotal = (o: SimulationOutcomes) => expected.reduce((sum, entry) => sum + Math.min(entry.decisions, decidedOf(o, entry.campaign_id)), 0);
  // Without the warehouse only the outbox tells: at least one email per consenting shopper of a certain journey.
  const minimumEmails = expected.reduce((sum, entry) => sum + entry.withConsent, 0);
  const settled = (o: SimulationOutcomes) =>
    o.campaigns !== null && o.sendDecisions !== null && o.emailsSent !== null
      ? decidedTotal(o) >= expectedTotal && o.emailsSent >= o.sendDecisions
      : o.outboxEmails !== null && o.outboxEmails >= minimumEmails;
  const detail = (o: SimulationOutcomes) => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const emails = o.emailsSent ?? o.outboxEmails ?? 0;
    return o.campaigns === null ? `${emails} emails in the outbox · ${left}s left` : `${decidedTotal(o)}/${expectedTotal} journeys decided (${decidedOf(o, cartCampaignId)}/${tally.abandoned} abandoned carts) · ${emails} emails sent · ${left}s left`;
  };
  const done = (o: SimulationOutcomes) => (o.campaigns === null ? (o.outboxEmails ?? 0) : decidedTotal(o));
  const total = first.campaigns === null ? Math.max(1, minimumEmails) : Math.max(1, expectedTotal);
  while (!settled(outcomes) && Date.now() < deadline) {
    progress.update(done(outcomes), total, detail(outcomes));
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollEveryMs, Math.max(0, deadline - Date.now()))));
    outcomes = await readOutcomes();
  }
  progress.finish(done(outcomes), total, detail(outcomes));
  return outcomes;
}
