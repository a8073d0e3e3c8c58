// Counts per key in a fixed window (failed sign-ins, failed MQTT connects), kept in memory with the
// time passed in. A key's window starts at its first count and ends `windowMs` later.

interface Count { n: number, since: number }

/** Beyond this many tracked keys, expired counts are swept so a spray of keys cannot grow memory. */
const SWEEP_AT = 10_000

export class WindowCounter {
  private readonly counts = new Map<string, Count>()

  constructor (private readonly windowMs: number) {}

  /** Milliseconds until `key` may try again once it has reached `max`; 0 while under it. */
  waitMs (key: string, max: number, now: number): number {
    const c = this.counts.get(key)
    if (c === undefined || c.n < max || now - c.since >= this.windowMs) return 0
    return c.since + this.windowMs - now
  }

  add (key: string, now: number): void {
    if (this.counts.size >= SWEEP_AT) for (const [k, c] of this.counts) if (now - c.since >= this.windowMs) this.counts.delete(k)
    const c = this.counts.get(key)
    if (c === undefined || now - c.since >= this.windowMs) this.counts.set(key, { n: 1, since: now })
    else c.n++
  }

  /** Take back one count (an attempt counted up front turned out right). */
  undo (key: string): void {
    const c = this.counts.get(key)
    if (c !== undefined && c.n > 0) c.n--
  }

  clear (key: string): void {
    this.counts.delete(key)
  }
}
