// Rising-edge detection: a PIR sensor reports `motion: true` repeatedly while someone moves, and
// `false` when its hold time ends. Only the false→true transition (or the first `true` after start-up
// or after a hold time passed with no reports) is one "activity" for the alert engine.

export class MotionEdges {
  private readonly last = new Map<string, { motion: boolean; at: number }>()

  /**
   * @param holdMs a `true` that arrives more than this long after the previous report counts as a new
   *   edge even without a `false` in between (many sensors never send `false`).
   */
  constructor (private readonly holdMs: number) {}

  /** Record a report; returns true when it is a rising edge (new activity). */
  observe (sensorKey: string, motion: boolean, at: number): boolean {
    const prev = this.last.get(sensorKey)
    this.last.set(sensorKey, { motion, at })
    if (!motion) return false
    if (prev === undefined || !prev.motion) return true
    return at - prev.at > this.holdMs
  }

  forget (sensorKey: string): void {
    this.last.delete(sensorKey)
  }
}
