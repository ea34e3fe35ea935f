import type { JourneyTimer } from './journey-timer.ts';
import type { ShopSettings } from './build-email-data.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { OfferCodeFor } from '../content/choose-offer.ts';
import type { EmailData } from '../content/email-data.ts';
import type { LiveData, LiveDataFallback } from '../content/live-data.ts';
import type { DecisionCart } from '../decisions/decide.ts';
import type { DecisionReason } from '../decisions/decision.ts';
import type { InterestStore } from '../product-interest/interest-store.ts';
import type { Profile } from '../profiles/profile.ts';

/** Recommended items for an email (pipelines/recommendations/gather-recommendations.ts). */
export type Recommend = (request: { seedIds: readonly string[]; exclude: ReadonlySet<string>; limit: number }) => Promise<{ item: CatalogItem }[]>;

/** What a trigger may read while it prepares an email. */
export type TriggerDeps = {
  liveData: LiveData;
  /** Absent: no view counts (browse ranks by recency) and no "bought since" beyond the profile's orders. */
  interests?: Pick<InterestStore, 'getInterests'>;
  /** Absent: no recommendations block content (an empty list). */
  recommend?: Recommend;
  shop: ShopSettings;
};

export type TriggerContext = {
  timer: JourneyTimer;
  definition: CampaignDefinition;
  profile: Profile;
  email: string | null;
  now: Date;
  /** Live data and recommendations give up at this instant (the send's time budget). */
  deadline: Date;
};

/** What decide() needs to know about the trigger, judged from one profile. */
export type TriggerVerdict = { cart?: DecisionCart | null; trigger_exit: DecisionReason | null };

/**
 * One due timer's view of its trigger: what the email is about, whether it is still worth
 * sending, and the data it is rendered from. Opened once per step (reading live data and
 * interests); `judge` runs again on the profile re-read right before the claim.
 */
export type TriggerRun = {
  /** What the send id is built from: the same email for every person and re-fired timer it reaches. */
  sendKey: string;
  /**
   * What the decision and send rows record as trigger_key, when the timer's own key says too little
   * for an analyst (browse: every timer is "browse"; the row names the view that armed it). Default: the timer's.
   */
  triggerKey?: string;
  judge: (profile: Profile) => TriggerVerdict;
  /**
   * The email's data, or the reason there is nothing to send after all. `codeFor` signs a
   * `unique` offer's code for this send (chooseOffer's context takes it as it is).
   */
  build: (input: { email: string; unsubscribeUrl: string; codeFor: OfferCodeFor }) => Promise<{ data: EmailData } | { exit: DecisionReason }>;
  /** Live data fallbacks taken so far (opening and building), recorded on the decision. */
  fallbacks: () => readonly LiveDataFallback[];
};

export type JourneyTrigger = (context: TriggerContext, deps: TriggerDeps) => Promise<TriggerRun>;

/** The identity keys the interest store knows a person by (product-interest.ts). */
export function interestIdentitiesOf(profile: Profile): string[] {
  const user = profile.identities.user_id;
  return [...(user ? [`user:${user}`] : []), ...profile.identities.anonymous_ids.map((id) => `anon:${id}`)];
}
