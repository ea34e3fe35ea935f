import type { SendCounts } from './batch-sender.ts';
import type { EngagementPhaseResult } from './engagement-phase.ts';
import type { ScriptTally } from './shopper-script.ts';
import type { DecisionCount, SimulationOutcomes } from './simulation-outcomes.ts';

/** Everything `nudge simulate` found out, as data (tests) and as text (people). */
export type SimulationSummary = {
  run_id: string;
  seed: number;
  script: ScriptTally;
  events: SendCounts & { sent: number };
  outcomes: SimulationOutcomes;
  /** Emails skipped, held out (outcome holdout) or deferred (outcome defer), by reason: decisions other than send. */
  skipped: DecisionCount[] | null;
  /** What the people did after the emails, and the uplift the run drew (its ground truth); null when not run. */
  engagement: EngagementPhaseResult | null;
  /** First emails each journey should decide, by campaign (see expectedDecisions); empty when not known. */
  expected: { campaign_id: string; journey: string; decisions: number; withConsent: number }[];
};

export function summarise(run: {
  run_id: string;
  seed: number;
  script: ScriptTally;
  events: SendCounts;
  outcomes: SimulationOutcomes;
  engagement?: EngagementPhaseResult | null;
  expected?: SimulationSummary['expected'];
}): SimulationSummary {
  const { events, outcomes } = run;
  return {
    ...run,
    engagement: run.engagement ?? null,
    expected: run.expected ?? [],
    events: { ...events, sent: events.accepted + events.rejected + events.failed },
    skipped: outcomes.decisions?.filter((row) => row.outcome !== 'send') ?? null,
  };
}

export function formatSummary(summary: SimulationSummary): string {
  const { script, events, outcomes } = summary;
  const rows: [string, string][] = [
    ['shoppers', `${script.shoppers}`],
    ['events sent', `${events.sent}  (accepted ${events.accepted}, rejected ${events.rejected}${events.failed ? `, failed ${events.failed}` : ''})`],
    ['carts', `${script.carts}  (orders ${script.orders})`],
    [
      'carts abandoned',
      `${script.abandoned}  (${script.abandonedWithConsent} by shoppers with consent, ${script.abandonedWithoutConsent} without consent, ${script.abandonedAnonymous} anonymous)`,
    ],
    ['only browsed', `${script.browsed}  (${script.browsedWithConsent} identified with consent)`],
    ['waited for restock', `${script.waiting}  (viewed a sold-out product and asked to be told; ${script.waitingWithConsent} with consent)`],
    ['watched a price', `${script.watching}  (viewed a product whose price is then cut; ${script.watchingWithConsent} with consent)`],
    ['catalog', `${script.restocks} products restocked, ${script.priceCuts} prices cut after the shoppers`],
  ];
  if (outcomes.emailsSent !== null) {
    rows.push(['emails sent', `${outcomes.emailsSent}${outcomes.outboxEmails === null ? '' : `  (${outcomes.outboxEmails} .eml files in the outbox)`}`]);
  } else if (outcomes.outboxEmails !== null) {
    rows.push(['emails sent', `${outcomes.outboxEmails}  (counted in the outbox folder; the warehouse was not reachable without host.json)`]);
  } else {
    rows.push(['emails sent', 'unknown (no host.json for this --url and no outbox folder)']);
  }
  if (summary.skipped !== null) {
    const list = (rows: DecisionCount[]) => rows.map((row) => `${row.reason} ${row.count}`).join(' · ');
    const skipped = summary.skipped.filter((row) => row.outcome !== 'defer');
    const deferred = summary.skipped.filter((row) => row.outcome === 'defer');
    rows.push(['emails skipped', skipped.length === 0 ? 'none' : list(skipped)]);
    // Quiet hours defer rather than drop: the email goes out when they end (NUDGE_QUIET_HOURS=off for a demo).
    if (deferred.length > 0) rows.push(['emails deferred', `${list(deferred)}  (sent when the quiet hours end; NUDGE_QUIET_HOURS=off on the host for a demo)`]);
    const undecided = outcomes.decidedCarts === null ? 0 : script.abandoned - outcomes.decidedCarts;
    if (undecided > 0) rows.push(['not decided yet', `${undecided} abandoned carts (their reminder is not due yet; see nudge query "SELECT * FROM nudge.decisions")`]);
  }
  if (outcomes.campaigns !== null) rows.push(['by journey', 'first emails decided and emails sent per campaign'], ...campaignRows(summary));
  if (summary.engagement) rows.push(...engagementRows(summary.engagement));
  const width = Math.max(...rows.map(([label]) => label.length));
  return [`Summary — seed ${summary.seed}, run ${summary.run_id}`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n') + '\n';
}

/**
 * What each journey did with the run's shoppers: its first emails decided (of those expected),
 * emails sent and why the others were not. Browse emails to waiters and watchers depend on
 * timing: when the restock or drop email goes first, the journey window skips the browse one.
 */
function campaignRows(summary: SimulationSummary): [string, string][] {
  const campaigns = summary.outcomes.campaigns ?? [];
  const ids = [...new Set([...summary.expected.map((entry) => entry.campaign_id), ...campaigns.map((campaign) => campaign.campaign_id)])];
  return ids.map((id): [string, string] => {
    const outcome = campaigns.find((campaign) => campaign.campaign_id === id);
    const expected = summary.expected.find((entry) => entry.campaign_id === id);
    const decided = outcome?.decided ?? 0;
    const of = expected ? ` of ${expected.decisions} ${expected.journey}` : '';
    const others = (outcome?.decisions ?? []).filter((row) => row.outcome !== 'send').map((row) => `${row.outcome === 'skip' ? '' : `${row.outcome} `}${row.reason} ${row.count}`);
    const waiting = expected && decided < expected.decisions ? `, ${expected.decisions - decided} not due yet` : '';
    return [`  ${id}`, `${outcome?.sent ?? 0} sent · ${decided} decided${of}${waiting}${others.length ? ` · not sent: ${others.join(' · ')}` : ''}`];
  });
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null) => (value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`);

function engagementRows(result: EngagementPhaseResult): [string, string][] {
  const { truth } = result;
  const rate = (orders: number, n: number) => (n === 0 ? null : orders / n);
  return [
    ['webhook events', `${result.webhookEvents} posted signed${result.webhookRefused ? `, ${result.webhookRefused} refused (the host verifies with another key: SENDGRID_WEBHOOK_PUBLIC_KEY)` : ''}`],
    ['orders after', `${result.orders} (${result.ordersInWarehouse} in the warehouse)`],
    [
      'uplift drawn',
      `${points(truth.drawn_uplift)}: treated ${truth.treated_orders}/${truth.treated} = ${percent(rate(truth.treated_orders, truth.treated))}, held out ${truth.control_orders}/${truth.controls} = ${percent(rate(truth.control_orders, truth.controls))}  (true odds ${percent(truth.treatment_rate)} vs ${percent(truth.control_rate)}, uplift ${points(truth.uplift)})`,
    ],
    ['uplift measured', measuredLine(result)],
  ];
}

/** What holdout_uplift says, and whether the run's true uplift lies inside its 95% interval. */
function measuredLine(result: EngagementPhaseResult): string {
  const m = result.measured;
  if (!m) return 'no row in holdout_uplift for cart-abandonment step 0';
  const interval = m.uplift_ci_low === null || m.uplift_ci_high === null ? 'no interval yet (an arm has fewer than 5 orders or 5 people without one)' : `95% CI [${points(m.uplift_ci_low)}, ${points(m.uplift_ci_high)}]`;
  const inside = m.uplift_ci_low !== null && m.uplift_ci_high !== null && m.uplift_ci_low <= result.truth.uplift && result.truth.uplift <= m.uplift_ci_high;
  const others = m.treatment_n !== result.truth.treated || m.control_n !== result.truth.controls ? `; the view also counts ${m.treatment_n + m.control_n - result.truth.treated - result.truth.controls} decisions of earlier runs in this data dir` : '';
  return `${points(m.uplift)}: treated ${m.treatment_conversions}/${m.treatment_n}, held out ${m.control_conversions}/${m.control_n}, ${interval}${m.uplift_ci_low === null ? '' : inside ? ', the true uplift is inside' : ', the true uplift is OUTSIDE'}${others}  (npx nudge kpis)`;
}

