import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault and attack suite runs on its own, one file at a time: vitest.faults.config.ts.
    exclude: ['test/faults/**', 'test/cluster/**', '**/node_modules/**'],
    // Integration tests start real brokers and databases; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Under CI a JSON report too, so .ci/run can print one plain closing line and refuse skips.
    reporters: process.env.CI === 'true' ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default']
  }
})
