import { createRandom } from './shopper-script.ts';

/**
 * What the simulated people do after the cart email (or after being held out), drawn up front
 * and without I/O, so the run knows its own ground truth: every treated person (an email was
 * sent) is delivered, opens with `openRate` (and, apart, a privacy proxy fetches the pixel with
 * `machineOpenRate`), clicks with `clickRate` of those who opened, and orders with
 * `baselineConversion + uplift`; every held-out person orders with `baselineConversion` — the
 * revenue the emails bring in that would not have come anyway is the difference.
 */
export type EngagementOdds = {
  openRate: number;
  machineOpenRate: number;
  /** Of the people who opened. */
  clickRate: number;
  /** Chance to order without the email (the control group's rate). */
  baselineConversion: number;
  /** What the email adds to it: the true absolute uplift. */
  uplift: number;
};

export const defaultEngagementOdds: EngagementOdds = { openRate: 0.45, machineOpenRate: 0.15, clickRate: 0.35, baselineConversion: 0.05, uplift: 0.1 };

export type Cohort = { send_id: string; person_id: string; arm: 'treatment' | 'control' };

export type Engagement = Cohort & { open: boolean; machine_open: boolean; click: boolean; order: boolean; revenue: number };

export type GroundTruth = {
  /** The probabilities the draw used. */
  treatment_rate: number;
  control_rate: number;
  uplift: number;
  /** What was actually drawn. */
  treated: number;
  treated_orders: number;
  controls: number;
  control_orders: number;
  drawn_uplift: number | null;
  revenue_treated: number;
  revenue_control: number;
};

export function planEngagement(cohort: readonly Cohort[], odds: EngagementOdds, seed: number): Engagement[] {
  const random = createRandom(seed);
  // Sorted so the draw does not depend on the order the warehouse returned the rows in.
  return [...cohort]
    .sort((a, b) => (a.send_id < b.send_id ? -1 : a.send_id > b.send_id ? 1 : 0))
    .map((member) => {
      const treated = member.arm === 'treatment';
      const open = treated && random.chance(odds.openRate);
      const machineOpen = treated && random.chance(odds.machineOpenRate);
      const click = open && random.chance(odds.clickRate);
      const order = random.chance(treated ? odds.baselineConversion + odds.uplift : odds.baselineConversion);
      const revenue = order ? random.int(40, 240) : 0;
      return { ...member, open, machine_open: machineOpen, click, order, revenue };
    });
}

export function groundTruthOf(engagement: readonly Engagement[], odds: EngagementOdds): GroundTruth {
  const arm = (name: Cohort['arm']) => engagement.filter((member) => member.arm === name);
  const treated = arm('treatment');
  const controls = arm('control');
  const orders = (members: Engagement[]) => members.filter((member) => member.order).length;
  const revenue = (members: Engagement[]) => members.reduce((sum, member) => sum + member.revenue, 0);
  const rate = (members: Engagement[]) => (members.length === 0 ? null : orders(members) / members.length);
  const treatedRate = rate(treated);
  const controlRate = rate(controls);
  return {
    treatment_rate: odds.baselineConversion + odds.uplift,
    control_rate: odds.baselineConversion,
    uplift: odds.uplift,
    treated: treated.length,
    treated_orders: orders(treated),
    controls: controls.length,
    control_orders: orders(controls),
    drawn_uplift: treatedRate === null || controlRate === null ? null : treatedRate - controlRate,
    revenue_treated: revenue(treated),
    revenue_control: revenue(controls),
  };
}
