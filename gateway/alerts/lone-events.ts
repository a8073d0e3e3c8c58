// Which motion events count as the resident's activity for inactivity timing: the lone-event filter of
// the activity model (src/activity-model/stats.ts countsAsActivity), applied live, per home.
//
// Why the engine filters, although a real person's single movement after a long stillness is exactly a
// lone event:
// - It is what was measured. The evaluation's `anju` detector (bench/eval/detectors.ts) treats only
//   filtered events as activity, both for the stillness timer and for auto-resolving an alert at the TV
//   and family rungs (bench/eval/replay.ts: `activity = detector.activity(events)` drives `next`). The
//   published figures (bench/eval/README.md) hold only for that choice.
// - The filter errs towards calling earlier, never later. Someone up and about trips a sensor again
//   within minutes (the PIR re-arms after 60 s), so the second event counts and the all-clear or the
//   timer reset comes at most ~10 minutes late. Someone who moves once and lies still again keeps the
//   timer running from their earlier activity: the check-in comes sooner, which they can answer.
// - Not filtering errs the dangerous way: after a fall, a pet passing or sunlight on the lens would
//   restart the timer and auto-resolve an open alert with "motion detected, resident fine" to family
//   (the eval's one missed emergency was spurious bursts restarting the timer).
// Device health (sensor_silent, home_offline) still takes every event: a lone event proves the sensor
// works, just not that the person does.
import { countsAsActivity, filterActivity, LEARN_DEFAULTS } from '../../src/activity-model/index.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'

export const ISOLATION_MS = LEARN_DEFAULTS.isolationMs

/**
 * Of three events within isolationMs of each other, the middle one never decides anything: an event
 * after it has a predecessor within isolationMs either way, and one before it a successor. Dropping it
 * keeps a home's list at a few entries however often its sensors fire (a sensor firing 90 times a second
 * kept 100,000 entries per home in `npm run bench -- ingest`).
 */
function thinIsolated (times: number[], isolationMs: number): void {
  for (let j = 1; j < times.length - 1;) {
    if ((times[j + 1] as number) - (times[j - 1] as number) <= isolationMs) times.splice(j, 1)
    else j++
  }
}

export class LoneEventFilter {
  /**
   * Each home's recent raw events (any of its sensors, counted or not), ascending, back to two isolation
   * windows before the latest: enough to judge a late event the way the sorted history would.
   */
  private readonly recentOf = new Map<string, number[]>()

  constructor (readonly isolationMs: number = ISOLATION_MS) {}

  /**
   * Note one raw motion event of a home; returns the latest activity time it makes count, or null.
   * In order (always, in one process) that is the event itself when another came ≤ isolationMs before it.
   * Out of order (cluster mode: one device's messages reach different workers, and their events reach
   * the alert engine in the order the workers route them), a late event may also make the next one
   * count. Either way the live answer is what filterActivity over the sorted history gives, so the
   * history a new owner reads after a takeover agrees with what the engine decided live: otherwise it
   * would find "activity after the alert began" and send a false all-clear.
   */
  countedAt (homeId: string, at: number): number | null {
    if (this.isolationMs <= 0) return at
    const times = this.recentOf.get(homeId) ?? []
    let i = times.length
    while (i > 0 && (times[i - 1] as number) > at) i--
    const previous = i > 0 ? times[i - 1] as number : null
    const next = i < times.length ? times[i] as number : null
    times.splice(i, 0, at)
    const latest = times[times.length - 1] as number
    while ((times[0] as number) < latest - 2 * this.isolationMs) times.shift()
    thinIsolated(times, this.isolationMs)
    this.recentOf.set(homeId, times)
    const counts = countsAsActivity(previous, at, this.isolationMs)
    // The next event counted already if its old predecessor was near enough; else this event makes it count.
    const nextNowCounts = next !== null && countsAsActivity(at, next, this.isolationMs) && !countsAsActivity(previous, next, this.isolationMs)
    if (nextNowCounts) return next
    return counts ? at : null
  }

  /** Start-up: the home's latest raw event from telemetry, so the next event within isolationMs counts. */
  seed (homeId: string, at: number): void {
    const times = this.recentOf.get(homeId)
    if (times === undefined || at > (times[times.length - 1] as number)) this.recentOf.set(homeId, [at])
  }

  /**
   * Start-up, for a home with an open alert that ends on activity: the latest counted activity after
   * `since` in telemetry (motion recorded while the engine was down), else `since` — so a lone event
   * recorded meanwhile does not resolve the alert, as it would not have live. A failed query also
   * answers `since`: the alert stays open (a needless call beats a hidden emergency).
   */
  async lastCountedSince (telemetry: Pick<TelemetryStore, 'activityEvents'>, homeId: string, since: number, now: number): Promise<number> {
    try {
      const events = await telemetry.activityEvents(homeId, { from: since - this.isolationMs, to: now + 1 })
      const counted = filterActivity(events.map((e) => e.at).sort((a, b) => a - b), this.isolationMs).filter((t) => t > since)
      return counted.at(-1) ?? since
    } catch {
      return since
    }
  }
}
