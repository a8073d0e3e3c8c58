import { defineConfig } from 'vitest/config'

// The fault and attack suite (issue 7): outages, kills, floods, fuzzing, a soak. These tests load the
// machine on purpose, so they run one file at a time after the main suite (`npm run test:faults`), never
// beside other tests where they would make both flaky. The long variants (an hour of simulated endpoint
// outage at full length, the full simulated week) need ANJU_LONG_FAULTS=1; see README "Reliability".
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: process.env.CI === 'true' ? ['default', ['json', { outputFile: 'test-results-faults.json' }]] : ['default']
  }
})
