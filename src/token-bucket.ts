// Token bucket per MQTT client. Time is passed in. `take` returns how long the caller should wait before
// the message is admitted (0 = now); tokens may go negative up to `maxDebtMs` worth, which is how a
// burst is slowed down (backpressure) before it is refused.

export class TokenBucket {
  private tokens: number
  private updatedAt: number

  constructor (private readonly ratePerSecond: number, private readonly burst: number, now: number) {
    this.tokens = burst
    this.updatedAt = now
  }

  /** @returns ms to wait before admitting this message, or -1 when it exceeds the allowed debt. */
  take (now: number, maxDebtMs: number): number {
    const elapsed = Math.max(0, now - this.updatedAt)
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000)
    this.updatedAt = now
    const after = this.tokens - 1
    const waitMs = after >= 0 ? 0 : (-after * 1000) / this.ratePerSecond
    if (waitMs > maxDebtMs) return -1
    this.tokens = after
    return waitMs
  }
}
