// Print vitest's JSON report as one plain closing line, and fail when anything was skipped:
// under CI a skipped test (a missing service, say) is a hidden failure.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const skipped = report.numPendingTests + report.numTodoTests
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
if (report.numTotalTests === 0) { console.error('no test ran'); process.exit(1) }
if (skipped > 0) { console.error('tests were skipped under CI=true'); process.exit(1) }
if (report.numFailedTests > 0 || !report.success) process.exit(1)
