// The 每日平安 summary provider for the notify schedules: today's activity (village time, UTC+8) of one
// home from telemetry, as formatDailySummary words it. build.ts wires it into NotifyService's jobs.
import type { Clock } from '../../src/clock.ts'
import { isAway, localDayStart } from '../../src/escalation/rules.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { formatDailySummary } from './schedules.ts'

const HOUR_MS = 3_600_000

export interface DailySummaryDeps {
  telemetry: Pick<TelemetryStore, 'activityCounts' | 'lastActivityByDevice'>
  places: Pick<PlacesStore, 'getHome'>
  clock: Clock
  /** The home's away-mode end (alert settings); away homes get no summary. */
  awayUntil?: (homeId: string) => number | null
}

export function dailySummaryProvider (deps: DailySummaryDeps): (homeId: string) => Promise<string | null> {
  return async (homeId) => {
    const now = deps.clock.now()
    const home = deps.places.getHome(homeId)
    if (home === undefined || isAway(deps.awayUntil?.(homeId) ?? null, now)) return null
    // Hourly buckets: village midnight (UTC+8) falls on a UTC hour, and the stores keep an hourly rollup.
    const buckets = await deps.telemetry.activityCounts(homeId, { from: localDayStart(now), to: now, bucketMs: HOUR_MS })
    const activityCount = buckets.reduce((n, b) => n + b.count, 0)
    const last = Math.max(...(await deps.telemetry.lastActivityByDevice(homeId)).values())
    return formatDailySummary({ homeLabel: home.label, activityCount, lastActivityAt: Number.isFinite(last) ? last : null })
  }
}
