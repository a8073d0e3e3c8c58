// `npx tsx bench/embedded-telemetry.ts`: write throughput of the embedded telemetry store (target
// >= 50,000 points/s), then the cost of the queries and of an hourly retention pass on the result.
// A year-like history: 60 homes x 3 sensors in one village, 9 activity points to 1 health point,
// written through write() in ingest-sized chunks and committed by the store's own batching.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TelemetryPoint } from '../src/telemetry.ts'
import { createLogger } from '../gateway/logger.ts'
import { EmbeddedTelemetryStore } from '../gateway/telemetry/embedded-store.ts'

const POINTS = Number(process.env.BENCH_POINTS ?? 1_000_000)
const CHUNK = 500
const HOMES = 60
const T0 = Date.UTC(2026, 0, 1)
const STEP_MS = Math.floor((365 * 86_400_000) / POINTS)

const dir = mkdtempSync(join(tmpdir(), 'anju-bench-telemetry-'))
const clock = { now: () => T0 + 365 * 86_400_000 }
const store = new EmbeddedTelemetryStore({ path: join(dir, 'telemetry.db'), clock, log: createLogger('silent') })

function point (i: number): TelemetryPoint {
  const home = i % HOMES
  const base = { villageId: 'vil-bench', homeId: `home-${home}`, deviceId: `dev-${home}-${i % 3}`, at: T0 + i * STEP_MS }
  return i % 10 === 9
    ? { kind: 'health', ...base, deviceKind: 'sensor', battery: 80 + (i % 20), rssi: -60 - (i % 30) }
    : { kind: 'activity', ...base, timeSource: 'device' }
}

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now()
  const result = await fn()
  return [result, performance.now() - t]
}

try {
  await store.start()
  const points = Array.from({ length: POINTS }, (_, i) => point(i))
  const [, writeMs] = await time(async () => {
    for (let i = 0; i < POINTS; i += CHUNK) {
      store.write(points.slice(i, i + CHUNK))
      // Let the store's size-triggered batches run between chunks, as they would between MQTT messages.
      if (i % 5000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await store.flush()
  })
  const day = { from: T0 + 200 * 86_400_000, to: T0 + 201 * 86_400_000, bucketMs: 3_600_000 }
  const [, lastMs] = await time(() => store.lastActivityByHome())
  const [, countsMs] = await time(() => store.activityCounts('home-7', { ...day, to: day.from + 7 * 86_400_000 }))
  const [, villageMs] = await time(() => store.villageActivity('vil-bench', day))
  const [, healthMs] = await time(() => store.deviceHealth('dev-7-1', { ...day, to: day.from + 30 * 86_400_000, bucketMs: 86_400_000 }))
  await store.close()
  // An hourly retention pass at a 30-day limit over the year: deletes ~11 months at once (the worst case).
  const pruning = new EmbeddedTelemetryStore({ path: join(dir, 'telemetry.db'), clock, log: createLogger('silent'), retentionDays: 30 })
  const [, retentionMs] = await time(() => pruning.start())
  await pruning.close()
  console.log(JSON.stringify({
    points: POINTS,
    pointsPerSecond: Math.round(POINTS / (writeMs / 1000)),
    writeMs: Math.round(writeMs),
    queryMs: { lastActivityByHome: +lastMs.toFixed(1), activityCountsWeekHourly: +countsMs.toFixed(1), villageDayHourly: +villageMs.toFixed(1), deviceHealthMonthDaily: +healthMs.toFixed(1) },
    firstRetentionPassMs: Math.round(retentionMs)
  }))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
