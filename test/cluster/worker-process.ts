// A cluster worker as production runs it (`npm run worker` is gateway/cluster/worker-main.ts), in its own
// process so a test can SIGKILL it, configured through ANJU_* variables. Only two things come from the
// test: short fixed inactivity thresholds and a short ladder (the config refuses rungs under a minute), so
// a whole escalation fits in a test. Prints one JSON line with its URL when ready.
import { startWorker } from '../../gateway/cluster/worker.ts'
import { loadConfig } from '../../gateway/config/load-config.ts'
import { FixedThresholds } from '../../src/escalation/fixed-thresholds.ts'

const thresholdMs = Number(process.env.TEST_THRESHOLD_MS)
const ladder = JSON.parse(process.env.TEST_LADDER ?? '{}') as { tvTimeoutMs: number, familyTimeoutMs: number, gridTimeoutMs: number }
const worker = await startWorker(loadConfig(), { thresholds: new FixedThresholds({ dayMs: thresholdMs, nightMs: thresholdMs }), ladder })
console.log(JSON.stringify({ ready: worker.url, workerId: worker.workerId }))
const stop = async (): Promise<void> => { await worker.close(); process.exit(0) }
process.once('SIGTERM', () => { void stop() })
process.once('SIGINT', () => { void stop() })
