// Mutation testing of the pure stages (`npm run mutate`): StrykerJS with its command runner,
// which runs Node's test runner on the tests that cover the mutated files. Aim: ≥ 80% killed.
// The stages come in groups, each with the tests that cover it, so one group runs in minutes:
//   npm run mutate                        # the cart group
//   NUDGE_MUTATE=door npm run mutate      # another group (names below)
// Add a stage's files to its group, and its tests to the group's tests, when you change it.
const groups = {
  cart: {
    mutate: [
      'pipelines/profiles/cart-state.ts',
      'pipelines/profiles/repair-profile.ts',
      'pipelines/journeys/plan-cart-timers.ts',
      'pipelines/journeys/cart-trigger-key.ts',
      'pipelines/journeys/timer-lease.ts',
    ],
    tests: [
      'pipelines/profiles/cart-state.test.ts',
      'pipelines/profiles/merge-profiles.test.ts',
      'pipelines/profiles/repair-profile.test.ts',
      'pipelines/journeys/plan-cart-timers.test.ts',
      'pipelines/journeys/cart-journey-paths.test.ts',
      'pipelines/journeys/cart-trigger-key.test.ts',
      'pipelines/journeys/run-journey-step.test.ts',
      'pipelines/journeys/timer-lease.test.ts',
      'pipelines/profiles/apply-event.test.ts',
    ],
  },
  door: {
    mutate: ['pipelines/events/find-too-deep.ts', 'pipelines/catalog/check-catalog-links.ts', 'pipelines/events/normalize.ts', 'pipelines/events/fields.ts', 'pipelines/events/limits.ts', 'pipelines/events/dead-letter-payload.ts'],
    // fields.ts is read through the Segment and e-commerce schemas, the dead-letter payload through
    // to-dead-letters' tests, and limits.ts' body caps only by the collector (collect.test.ts).
    tests: [
      'pipelines/events/validate-door.test.ts',
      'pipelines/events/validate-payload.test.ts',
      'pipelines/events/normalize.test.ts',
      'pipelines/events/segment-schemas.test.ts',
      'pipelines/events/commerce-schemas.test.ts',
      'pipelines/events/to-dead-letters.test.ts',
      'functions/collect.test.ts',
    ],
  },
  delivery: {
    mutate: ['pipelines/engagement/suppression.ts', 'pipelines/engagement/unsubscribe-person.ts', 'pipelines/warehouse/fact-rows.ts', 'pipelines/delivery/resolve-in-doubt.ts', 'pipelines/delivery/send-id.ts'],
    tests: [
      'pipelines/engagement/suppression.test.ts',
      'pipelines/engagement/unsubscribe-person.test.ts',
      'pipelines/warehouse/fact-rows.test.ts',
      'pipelines/delivery/resolve-in-doubt.test.ts',
      'pipelines/delivery/send-id.test.ts',
      // The same stages over real adapters (in-memory SQLite, outbox files): fast, no emulator.
      'functions/embedded/resolve-in-doubt-outbox.test.ts',
      'pipelines/journeys/journey-facts.test.ts',
    ],
  },
  // Issue 7: the SendGrid webhook's pure stages, the identity rows and the simulator's draw.
  engagement: {
    mutate: [
      'pipelines/engagement/read-sendgrid-event.ts',
      'pipelines/engagement/email-event.ts',
      'pipelines/engagement/take-sendgrid-events.ts',
      'pipelines/engagement/suppression.ts',
      'pipelines/profiles/record-identity-links.ts',
      'functions/sendgrid-events/verify-signature.ts',
      'functions/embedded/simulate/engagement-plan.ts',
    ],
    tests: [
      'pipelines/engagement/read-sendgrid-event.test.ts',
      'pipelines/engagement/take-sendgrid-events.test.ts',
      'pipelines/engagement/suppression.test.ts',
      'pipelines/profiles/record-identity-links.test.ts',
      'functions/sendgrid-events.test.ts',
      'functions/embedded/simulate/engagement-plan.test.ts',
    ],
  },
  // Issue 8: the BigQuery → DuckDB translator's function rewrites and their helpers, against the
  // exact translations and the answers BigQuery documents (answers/*.cases.ts on a real DuckDB).
  warehouse: {
    mutate: [
      'functions/embedded/warehouse/bigquery-functions.ts',
      'functions/embedded/warehouse/week-parts.ts',
      'functions/embedded/warehouse/format-elements.ts',
      'functions/embedded/warehouse/printf-format.ts',
      'functions/embedded/warehouse/regexp-groups.ts',
      'functions/embedded/warehouse/divisor-span.ts',
    ],
    tests: [
      'functions/embedded/warehouse/bigquery-to-duckdb.test.ts',
      'functions/embedded/warehouse/answers/bigquery-answers.test.ts',
      'functions/embedded/warehouse/regexp-groups.test.ts',
    ],
  },
  // Issue 8's review fixes: the translator's second layer (subscripts, JSON encoding, NUMERIC
  // division, casts, same-name functions), against the same translations and documented answers.
  'warehouse-layers': {
    mutate: [
      'functions/embedded/warehouse/array-subscripts.ts',
      'functions/embedded/warehouse/json-encoding.ts',
      'functions/embedded/warehouse/numeric-division.ts',
      'functions/embedded/warehouse/casts.ts',
      'functions/embedded/warehouse/same-name-functions.ts',
    ],
    tests: [
      'functions/embedded/warehouse/bigquery-to-duckdb.test.ts',
      'functions/embedded/warehouse/answers/bigquery-answers.test.ts',
      'functions/embedded/warehouse/numeric-division.test.ts',
      'functions/embedded/warehouse/array-subscripts.test.ts',
    ],
  },
  // Issue 8: nightly reconciliation — comparison, fix planning, snapshot rows, the walk, the schedule.
  reconcile: {
    mutate: [
      'pipelines/reconcile/compare-profile.ts',
      'pipelines/reconcile/plan-fix.ts',
      'pipelines/reconcile/person-history.ts',
      'pipelines/reconcile/profile-snapshot-row.ts',
      'pipelines/reconcile/refold-history.ts',
      'functions/embedded/reconcile/reconcile-schedule.ts',
    ],
    // The walk (run-reconciliation.ts) is left out: its test runs SQLite + DuckDB
    // (test/e2e/nightly-reconciliation.test.ts), ~10 s a mutant on a shared machine.
    tests: [
      'pipelines/reconcile/compare-profile.test.ts',
      'pipelines/reconcile/plan-fix.test.ts',
      'pipelines/reconcile/profile-snapshot-row.test.ts',
      'pipelines/reconcile/refold-history.test.ts',
      'functions/embedded/reconcile/reconcile-schedule.test.ts',
    ],
  },
  // Issue 9: recommendations — the pure ranking and the bounded reads around it (in-memory fakes).
  recommendations: {
    mutate: ['pipelines/recommendations/recommend.ts', 'pipelines/recommendations/gather-recommendations.ts'],
    tests: [
      'pipelines/recommendations/recommend.test.ts',
      'pipelines/recommendations/recommend-properties.test.ts',
      'pipelines/recommendations/gather-recommendations.test.ts',
    ],
  },
  // Issue 9: the journey engine beyond the cart — browse timer planning, catalog trigger detection
  // and keys, the journey window, product data for emails and the catalog fan-out (in-memory stores).
  'journeys-beyond': {
    mutate: [
      'pipelines/journeys/plan-browse-timers.ts',
      'pipelines/journeys/detect-catalog-triggers.ts',
      'pipelines/journeys/catalog-trigger-key.ts',
      'pipelines/journeys/recent-journey.ts',
      'pipelines/journeys/product-data.ts',
      'pipelines/journeys/fan-out-catalog-trigger.ts',
    ],
    tests: [
      'pipelines/journeys/plan-browse-timers.test.ts',
      'pipelines/journeys/detect-catalog-triggers.test.ts',
      'pipelines/journeys/catalog-trigger-key.test.ts',
      'pipelines/journeys/recent-journey.test.ts',
      'pipelines/journeys/product-data.test.ts',
      'pipelines/journeys/fan-out-catalog-trigger.test.ts',
      'pipelines/journeys/catalog-trigger.test.ts',
      'pipelines/journeys/journeys-beyond-step.test.ts',
    ],
  },
  // Issue 9: the catalog feed mapping (Merchant Center rows → Catalog Updated) and per-email offer codes.
  'feed-offers': {
    mutate: ['pipelines/catalog/feed/map-merchant-row.ts', 'pipelines/catalog/feed/parse-merchant-tsv.ts', 'pipelines/content/offer-code.ts'],
    tests: [
      'pipelines/catalog/feed/map-merchant-row.test.ts',
      'pipelines/catalog/feed/parse-merchant-tsv.test.ts',
      'pipelines/catalog/feed/build-import-messages.test.ts',
      'pipelines/content/offer-code.test.ts',
      'pipelines/content/choose-offer.test.ts',
    ],
  },
};

const name = process.env.NUDGE_MUTATE || 'cart';
const group = groups[name];
if (!group) throw new Error(`NUDGE_MUTATE=${name}: no such group; groups: ${Object.keys(groups).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `node --import tsx --test --test-concurrency=2 ${group.tests.join(' ')}` },
  mutate: group.mutate,
  coverageAnalysis: 'off',
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress'],
  // One sandbox per group, so two groups can run side by side.
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: true,
};
