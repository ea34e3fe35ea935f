// Mutation testing of the pure stages (`npm run mutate`): StrykerJS with its command runner,
// which runs Node's test runner on the tests that cover the mutated files. Aim: ≥ 80% killed.
// Add a stage's files to `mutate` and its tests to the command when you change it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: {
    command:
      'node --import tsx --test --test-concurrency=2 pipelines/profiles/cart-state.test.ts pipelines/profiles/merge-profiles.test.ts pipelines/profiles/repair-profile.test.ts pipelines/journeys/plan-cart-timers.test.ts pipelines/journeys/cart-journey-paths.test.ts',
  },
  mutate: ['pipelines/profiles/cart-state.ts', 'pipelines/profiles/repair-profile.ts', 'pipelines/journeys/plan-cart-timers.ts', 'pipelines/journeys/cart-trigger-key.ts'],
  coverageAnalysis: 'off',
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
