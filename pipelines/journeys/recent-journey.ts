import type { CampaignDefinition, CampaignTrigger } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { DecisionPolicy } from '../decisions/policy.ts';
import type { SendLedger } from '../delivery/send-ledger.ts';

/**
 * Which journeys outrank which when one person qualifies for several (lower first): the cart is
 * the clearest intent, a restock or a drop answers interest the shopper showed in one product,
 * browsing is the weakest signal. A journey's first email waits for nobody, but is skipped when a
 * journey of the same or higher rank (another campaign) emailed the person within the window — so
 * a browse email never follows a cart email within it, while a cart email is never held back by a
 * browse email.
 */
export const journeyRank: Readonly<Record<CampaignTrigger['kind'], number>> = { cart_abandoned: 0, back_in_stock: 1, price_drop: 2, browse_abandoned: 3 };

/**
 * journey_window, campaign_repeat or null, from the person's sends in the ledger. Follow-up steps
 * belong to a run that already passed, so only first emails (step 0) are judged. A send of a
 * campaign that is no longer loaded ranks first (it may have been anything).
 */
export async function recentJourneyOf(
  deps: { ledger: Pick<SendLedger, 'listSentSince'>; campaigns: ReadonlyMap<string, { definition: CampaignDefinition }>; policy: Pick<DecisionPolicy, 'journeyWindowMs'> },
  input: { person_id: string; definition: CampaignDefinition; step: number; now: Date },
): Promise<'journey_window' | 'campaign_repeat' | null> {
  if (input.step !== 0) return null;
  const windowMs = deps.policy.journeyWindowMs ?? 0;
  const resendMs = input.definition.resend_after ? parseDuration(input.definition.resend_after) : 0;
  const span = Math.max(windowMs, resendMs);
  if (span === 0) return null;
  const now = input.now.getTime();
  const sent = await deps.ledger.listSentSince(input.person_id, new Date(now - span));
  const rank = journeyRank[input.definition.trigger.kind];
  const within = (sentAt: string, ms: number) => Date.parse(sentAt) >= now - ms;
  const outranked = sent.some((entry) => {
    if (entry.campaign_id === input.definition.id || !within(entry.sent_at, windowMs)) return false;
    const other = deps.campaigns.get(entry.campaign_id)?.definition.trigger.kind;
    return other === undefined || journeyRank[other] <= rank;
  });
  if (windowMs > 0 && outranked) return 'journey_window';
  if (resendMs > 0 && sent.some((entry) => entry.campaign_id === input.definition.id && entry.step === 0 && within(entry.sent_at, resendMs))) return 'campaign_repeat';
  return null;
}
