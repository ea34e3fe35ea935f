import type { ShopSettings } from './build-email-data.ts';
import { openBrowseTrigger } from './browse-trigger.ts';
import { openCartTrigger } from './cart-trigger.ts';
import { openCatalogTrigger } from './catalog-trigger.ts';
import type { JourneyTrigger, Recommend } from './journey-trigger.ts';
import { recentJourneyOf } from './recent-journey.ts';
import { emailOf } from '../profiles/email-of.ts';
import type { JourneyTimer } from './journey-timer.ts';
import { finishTimer, rereadLeased, takeTimer } from './timer-lease.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { OfferCodeFor } from '../content/choose-offer.ts';
import type { LiveData } from '../content/live-data.ts';
import { signOfferCode } from '../content/offer-code.ts';
import type { EmailRenderer } from '../content/render-email.ts';
import { decide } from '../decisions/decide.ts';
import type { Decision } from '../decisions/decision.ts';
import { resolveTimeZone, startOfLocalDay } from '../decisions/local-time.ts';
import type { DecisionPolicy } from '../decisions/policy.ts';
import { MailerOutcomeUnknownError, PermanentMailerError, TransientMailerError, type Mailer } from '../delivery/mailer.ts';
import type { SendLedger } from '../delivery/send-ledger.ts';
import { sendId } from '../delivery/send-id.ts';
import { buildUnsubscribeUrl, listUnsubscribeHeaders, signToken } from '../delivery/signed-links.ts';
import { createLinkTracking } from '../delivery/tracking-links.ts';
import { suppressionOf, suppressionOfAddress } from '../engagement/suppression.ts';
import type { InterestStore } from '../product-interest/interest-store.ts';
import type { Profile } from '../profiles/profile.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import type { Clock } from '../shared/clock.ts';
import { recordDecision, recordSend, type FactQueue } from '../warehouse/fact-rows.ts';

export type JourneyCampaign = { definition: CampaignDefinition; render: EmailRenderer };

export type JourneyStepDeps = {
  store: ProfileStore;
  /** Price, stock, names and links now: the catalog, or the shop's API with the catalog behind it. */
  liveData: LiveData;
  /** View counts and purchases per product (browse ranking, "bought since"); absent: neither. */
  interests?: Pick<InterestStore, 'getInterests'>;
  /** Recommended items; absent: recommendation blocks are empty. */
  recommend?: Recommend;
  campaigns: ReadonlyMap<string, JourneyCampaign>;
  ledger: SendLedger;
  mailer: Mailer;
  /**
   * Where the decision and send rows go: a durable queue the warehouse is filled from later
   * (pipelines/warehouse/fact-rows.ts), never the warehouse itself, whose writes can queue for
   * seconds — the step awaits it on the way to the mailer.
   */
  warehouse: FactQueue;
  clock: Clock;
  newId: () => string;
  policy: DecisionPolicy;
  /** The first key signs; all verify (rotation). */
  linkKeys: readonly string[];
  /** Public https base of the unsubscribe endpoint, e.g. https://nudge.shop.example. */
  publicBaseUrl: string;
  /**
   * Public base of the click and open endpoints (functions/track.ts); default publicBaseUrl, which
   * serves both on the embedded host. On GCP they are two functions: NUDGE_TRACK_URL.
   */
  trackBaseUrl?: string;
  shop: ShopSettings;
  settings: typeof journeyStepDefaults;
  log?: (entry: Record<string, unknown>) => void;
};

/** Every tunable of a journey step, in one place. */
export const journeyStepDefaults = {
  /** How long a taken timer is hidden from other sweeps; a crash makes it due again after this. */
  timerLeaseMs: 5 * 60_000,
  /** When the ESP was briefly unavailable: try the step again after this. */
  retryAfterMs: 60_000,
  /** Unsubscribe links keep working this long (List-Unsubscribe must outlive the inbox). */
  unsubscribeLinkTtlDays: 365,
  /** First-party click and open links answer 400 after this (a year: emails are reopened months later). */
  trackingLinkTtlDays: 365,
  /** Live data and recommendations give up after this (fallbacks then), so one slow shop API never holds the sweep. */
  liveDataBudgetMs: 800,
};

export type StepOutcome =
  | 'not_due'
  | 'sent'
  | 'already_sent'
  | 'skipped'
  | 'holdout'
  | 'deferred'
  | 'retry_later'
  | 'in_doubt'
  | 'failed'
  | 'no_campaign'
  | 'no_profile'
  | 'superseded';

/**
 * One journey step for one due timer: take it, check again that the person may get this email now
 * (the cart may have been bought since it was armed), decide, render with live data, claim the
 * send in the ledger, hand it to the mailer, record the decision and the send, and move the timer
 * on (next step, deferral, retry, or gone). Exactly once comes from the ledger: the timer may fire
 * again after a crash, the claim will not be granted twice.
 */
export function createRunJourneyStep(deps: JourneyStepDeps): (timer: Pick<JourneyTimer, 'timer_id'>) => Promise<StepOutcome> {
  return async ({ timer_id }) => {
    const now = deps.clock.now();
    const taken = await takeTimer(deps.store, timer_id, now, deps.settings.timerLeaseMs);
    if (!taken) return 'not_due';
    const { timer, leased, profile } = taken;
    const finish = (next: JourneyTimer | null) => finishTimer(deps.store, leased, next);

    const campaign = deps.campaigns.get(timer.campaign_id);
    if (!campaign) {
      deps.log?.({ severity: 'WARNING', message: 'timer of an unknown campaign dropped', timer_id, campaign_id: timer.campaign_id });
      await finish(null);
      return 'no_campaign';
    }
    if (!profile) {
      await finish(null);
      return 'no_profile';
    }
    const email = emailOf(profile);
    const deadline = new Date(now.getTime() + deps.settings.liveDataBudgetMs);
    const run = await triggerOf(campaign.definition)(
      { timer, definition: campaign.definition, profile, email, now, deadline },
      { liveData: deps.liveData, shop: deps.shop, ...(deps.interests ? { interests: deps.interests } : {}), ...(deps.recommend ? { recommend: deps.recommend } : {}) },
    );
    const send_id = sendId(timer.campaign_id, run.sendKey, timer.step);
    const timeZone = resolveTimeZone(profile.traits.timezone, deps.policy.defaultTimeZone);
    const dayStart = startOfLocalDay(now, timeZone);
    // A first look for the decision's reason; the claim below enforces the cap atomically.
    const sendsToday = await deps.ledger.countSentSince(profile.person_id, dayStart);
    // Another journey's email lately, or this campaign's first email within its resend_after.
    const recentJourney = await recentJourneyOf({ ledger: deps.ledger, campaigns: deps.campaigns, policy: deps.policy }, { person_id: profile.person_id, definition: campaign.definition, step: timer.step, now });
    // A bounce or spam report at this address by another person of nudge's holds for this one too.
    const addressHeld = email ? await suppressionOfAddress(deps.store, email, profile.person_id) : null;
    const decideFor = (person: Profile, exit?: Decision['reason']) =>
      decide({
        campaign_id: timer.campaign_id,
        step: timer.step,
        send_id,
        trigger_key: run.triggerKey ?? timer.trigger_key,
        person: {
          person_id: person.person_id,
          email: emailOf(person),
          consent: person.consent.email_marketing?.value ?? null,
          suppression: addressHeld ? { ...addressHeld, ...suppressionOf(person) } : suppressionOf(person),
          timezone: typeof person.traits.timezone === 'string' ? person.traits.timezone : null,
          sends_today_local: sendsToday,
          recent_journey: recentJourney,
        },
        ...withExit(run.judge(person), exit),
        live_data_fallbacks: run.fallbacks().length > 0 ? JSON.stringify(run.fallbacks()) : null,
        policy: deps.policy,
        now,
        newId: deps.newId,
      });
    let decision = decideFor(profile);

    // Skips and holdouts end the run; a deferral moves the timer to the allowed time.
    const settleWithoutSending = async (unsent: Decision): Promise<StepOutcome> => {
      await recordDecision(deps.warehouse, unsent);
      if (unsent.outcome === 'defer' && unsent.defer_until) {
        await finish({ ...timer, due_at: unsent.defer_until });
        return 'deferred';
      }
      await finish(null);
      return unsent.outcome === 'holdout' ? 'holdout' : 'skipped';
    };
    if (decision.outcome !== 'send') return settleWithoutSending(decision);

    const token = signToken(
      // The campaign rides along so the endpoint can record the unsubscribe against it (email_events).
      { kind: 'unsubscribe', send_id, person_id: profile.person_id, campaign_id: timer.campaign_id, exp: Math.floor(now.getTime() / 1000) + deps.settings.unsubscribeLinkTtlDays * 86_400 },
      deps.linkKeys[0]!,
    );
    const unsubscribeUrl = buildUnsubscribeUrl(deps.publicBaseUrl, token);
    // A unique offer's code is bound to this send and signed like its links (offer-code.ts).
    const codeFor: OfferCodeFor = (prefix, expiresAt) => signOfferCode({ prefix, expiresAt, sendId: send_id }, deps.linkKeys[0]!);
    const built = await run.build({ email: email!, unsubscribeUrl, codeFor });
    // Nothing left to show after all (every item sold out or in the cart, no live data at all).
    if ('exit' in built) return settleWithoutSending(decideFor(profile, built.exit));
    const data = built.data;
    // The campaign chooses who tracks: nudge (signed redirect and pixel), SendGrid, or nobody.
    const tracking = campaign.definition.tracking;
    const linkTracking =
      tracking === 'first_party'
        ? createLinkTracking({
            baseUrl: deps.trackBaseUrl ?? deps.publicBaseUrl,
            key: deps.linkKeys[0]!,
            send_id,
            person_id: profile.person_id,
            campaign_id: timer.campaign_id,
            now,
            ttlDays: deps.settings.trackingLinkTtlDays,
            shopHosts: deps.shop.hosts,
          })
        : undefined;
    const rendered = await campaign.render(data, { step: timer.step, ...(linkTracking ? { tracking: linkTracking } : {}) });
    decision = { ...decision, variant_id: rendered.variant_id };

    // Rendering and the catalog read take time: an order, a checkout or an unsubscribe folded
    // meanwhile must still stop this email. Look once more, right before claiming.
    const fresh = await rereadLeased(deps.store, leased);
    if (!fresh.stillLeased) return 'superseded';
    if (!fresh.profile) {
      await finish(null);
      return 'no_profile';
    }
    const recheck = decideFor(fresh.profile);
    // The fallbacks taken while building are known now: the decision that sends records them.
    decision = { ...decision, live_data_fallbacks: recheck.live_data_fallbacks };
    if (recheck.outcome !== 'send') return settleWithoutSending(recheck);

    const cap = deps.policy.frequencyCapPerDay === null ? {} : { cap: { limit: deps.policy.frequencyCapPerDay, since: dayStart } };
    const claim = await deps.ledger.claim(send_id, { campaign_id: timer.campaign_id, person_id: profile.person_id, step: timer.step, claimed_at: now, ...cap });
    // Another worker sent this person their last email of the day meanwhile.
    if (claim === 'capped') return settleWithoutSending({ ...decision, outcome: 'skip', reason: 'frequency_capped' });
    if (claim === 'already_sent') {
      await finish(nextStepTimer(campaign.definition, timer, now));
      return 'already_sent';
    }
    if (claim === 'failed') {
      await finish(null);
      return 'failed';
    }
    if (claim !== 'claimed') {
      // in_progress: another worker has it; in_doubt: waits for a deliberate resolution. The
      // timer stays leased and comes back after the lease.
      deps.log?.({ severity: claim === 'in_doubt' ? 'WARNING' : 'INFO', message: `send ${claim}`, send_id });
      return 'in_doubt';
    }
    await recordDecision(deps.warehouse, decision);

    const sendFact = { send_id, campaign_id: timer.campaign_id, person_id: profile.person_id, step: timer.step, variant_id: rendered.variant_id, trigger_key: run.triggerKey ?? timer.trigger_key, subject: rendered.subject };
    let result: Awaited<ReturnType<Mailer>>;
    try {
      result = await deps.mailer({
        send_id,
        to: { email: email!, ...(data.person.first_name ? { name: data.person.first_name } : {}) },
        from: { email: campaign.definition.sender.email, name: campaign.definition.sender.name },
        ...(campaign.definition.sender.reply_to ? { reply_to: { email: campaign.definition.sender.reply_to } } : {}),
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: listUnsubscribeHeaders(unsubscribeUrl),
        categories: ['nudge', timer.campaign_id, `step-${timer.step}`],
        custom_args: { send_id, campaign_id: timer.campaign_id, variant_id: rendered.variant_id },
        ...(tracking === 'sendgrid' ? { esp_tracking: true } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MailerOutcomeUnknownError) {
        // The ESP may or may not have it: leave the claim in doubt for the resolver, never resend blindly.
        deps.log?.({ severity: 'WARNING', message: 'send outcome unknown; claim left in doubt', send_id });
        return 'in_doubt';
      }
      const permanent = error instanceof PermanentMailerError;
      // The row before the ledger, as below: a crash in between must not lose it.
      if (permanent) await recordSend(deps.warehouse, { ...sendFact, provider: 'unknown', provider_message_id: null, status: 'failed', sent_at: deps.clock.now(), error: message });
      await deps.ledger.markFailed(send_id, { error: message, permanent, failed_at: deps.clock.now() });
      if (permanent) {
        await finish(null);
        return 'failed';
      }
      const retryAfterMs = error instanceof TransientMailerError && error.retryAfterMs ? Math.max(error.retryAfterMs, deps.settings.retryAfterMs) : deps.settings.retryAfterMs;
      await finish({ ...timer, due_at: new Date(now.getTime() + retryAfterMs).toISOString() });
      return 'retry_later';
    }
    // The ESP has the email. Nothing below may lead to sending it again: if recording fails, the
    // claim stays open, falls in doubt after the lease, and the resolver finds the ESP's evidence
    // (and writes the row). The row is queued before markSent: a crash between the two leaves the
    // claim to the resolver rather than a send without its row; the duplicate row has the same key.
    const sentAt = deps.clock.now();
    await recordSend(deps.warehouse, { ...sendFact, provider: result.provider, provider_message_id: result.provider_message_id, status: 'sent', sent_at: sentAt, error: null });
    await deps.ledger.markSent(send_id, { provider: result.provider, provider_message_id: result.provider_message_id, sent_at: sentAt });
    await finish(nextStepTimer(campaign.definition, timer, sentAt));
    return 'sent';
  };
}

/** Follow-up n+1 waits `steps[n].wait` after email n; none after the last one. */
function nextStepTimer(definition: CampaignDefinition, timer: JourneyTimer, after: Date): JourneyTimer | null {
  const followUp = definition.steps[timer.step];
  if (!followUp) return null;
  return { ...timer, step: timer.step + 1, due_at: new Date(after.getTime() + parseDuration(followUp.wait)).toISOString(), armed_at: after.toISOString() };
}

/** The module that knows what a campaign's emails are about. */
function triggerOf(definition: CampaignDefinition): JourneyTrigger {
  switch (definition.trigger.kind) {
    case 'cart_abandoned':
      return openCartTrigger;
    case 'browse_abandoned':
      return openBrowseTrigger;
    case 'back_in_stock':
    case 'price_drop':
      return openCatalogTrigger;
  }
}

/** The trigger's verdict, or a reason found while building the email (which wins: it is the later look). */
function withExit(verdict: ReturnType<Awaited<ReturnType<JourneyTrigger>>['judge']>, exit: Decision['reason'] | undefined) {
  return exit === undefined ? verdict : { ...verdict, trigger_exit: verdict.trigger_exit ?? exit };
}
