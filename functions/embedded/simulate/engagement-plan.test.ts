import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultEngagementOdds, groundTruthOf, planEngagement, type Cohort } from './engagement-plan.ts';

const cohort = (treated: number, controls: number): Cohort[] => [
  ...Array.from({ length: treated }, (_, i) => ({ send_id: `t-${String(i).padStart(5, '0')}`, person_id: `pt-${i}`, arm: 'treatment' as const })),
  ...Array.from({ length: controls }, (_, i) => ({ send_id: `c-${String(i).padStart(5, '0')}`, person_id: `pc-${i}`, arm: 'control' as const })),
];

describe('planEngagement', () => {
  test('the same seed draws the same, whatever order the cohort arrives in', () => {
    const members = cohort(50, 20);
    assert.deepEqual(planEngagement(members, defaultEngagementOdds, 3), planEngagement([...members].reverse(), defaultEngagementOdds, 3));
    assert.notDeepEqual(planEngagement(members, defaultEngagementOdds, 3), planEngagement(members, defaultEngagementOdds, 4));
  });

  test('held-out people get no email to open or click; a click needs an open; revenue only with an order', () => {
    for (const member of planEngagement(cohort(300, 300), defaultEngagementOdds, 1)) {
      if (member.arm === 'control') assert.deepEqual([member.open, member.machine_open, member.click], [false, false, false]);
      if (member.click) assert.ok(member.open);
      assert.equal(member.revenue > 0, member.order);
    }
  });

  test('over many people the drawn rates come near the odds (a loose bound, 5 standard errors)', () => {
    const odds = { ...defaultEngagementOdds, baselineConversion: 0.1, uplift: 0.2 };
    const n = 20_000;
    const drawn = planEngagement(cohort(n, n), odds, 9);
    const truth = groundTruthOf(drawn, odds);
    const near = (value: number, p: number) => assert.ok(Math.abs(value - p) < 5 * Math.sqrt((p * (1 - p)) / n), `${value} vs ${p}`);
    near(truth.treated_orders / n, 0.3);
    near(truth.control_orders / n, 0.1);
    near(drawn.filter((m) => m.arm === 'treatment' && m.open).length / n, odds.openRate);
  });

  test('groundTruthOf counts what was drawn; no controls means no drawn uplift', () => {
    const drawn = [
      { send_id: 'a', person_id: 'p', arm: 'treatment' as const, open: true, machine_open: false, click: true, order: true, revenue: 100 },
      { send_id: 'b', person_id: 'q', arm: 'treatment' as const, open: false, machine_open: true, click: false, order: false, revenue: 0 },
      { send_id: 'c', person_id: 'r', arm: 'control' as const, open: false, machine_open: false, click: false, order: true, revenue: 50 },
      { send_id: 'd', person_id: 's', arm: 'control' as const, open: false, machine_open: false, click: false, order: false, revenue: 0 },
    ];
    const truth = groundTruthOf(drawn, defaultEngagementOdds);
    assert.deepEqual(
      [truth.treated, truth.treated_orders, truth.controls, truth.control_orders, truth.drawn_uplift, truth.revenue_treated, truth.revenue_control],
      [2, 1, 2, 1, 0, 100, 50],
    );
    assert.equal(groundTruthOf(drawn.slice(0, 2), defaultEngagementOdds).drawn_uplift, null);
    assert.equal(truth.uplift, defaultEngagementOdds.uplift);
  });
});
