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

export class LoneEventFilter {
  /** The latest raw event of each home (any of its sensors), counted or not. */
  private readonly lastEventOf = new Map<string, number>()

  constructor (readonly isolationMs: number = ISOLATION_MS) {}

  /** Note one raw motion event of a home; true when it counts as activity (another event ≤ isolationMs before). */
  counts (homeId: string, at: number): boolean {
    const previous = this.lastEventOf.get(homeId) ?? null
    if (previous === null || at > previous) this.lastEventOf.set(homeId, at)
    return countsAsActivity(previous, at, this.isolationMs)
  }

  /** Start-up: the home's latest raw event from telemetry, so the next event within isolationMs counts. */
  seed (homeId: string, at: number): void {
    if (!(at <= (this.lastEventOf.get(homeId) ?? -Infinity))) this.lastEventOf.set(homeId, at)
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
