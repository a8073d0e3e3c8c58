import { defineConfig } from 'vitest/config'

// Cluster mode (issue 8, docs/cluster.md): real Redis, PostgreSQL and Mosquitto from Debian packages,
// each started by the tests on free loopback ports, and gateway workers as child processes
// (`npm run test:cluster`). One file at a time: several start whole clusters.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: process.env.CI === 'true' ? ['default', ['json', { outputFile: 'test-results-cluster.json' }]] : ['default']
  }
})
