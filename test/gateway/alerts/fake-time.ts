// A fake clock and scheduler: `advance` runs due timers in time order, so hours pass in milliseconds.
import type { Timers } from '../../../gateway/alerts/deadline-scheduler.ts'

export class FakeTime implements Timers {
  private readonly pending = new Map<number, { at: number, fn: () => void }>()
  private seq = 0

  constructor (private t: number) {}

  now (): number {
    return this.t
  }

  setTimeout (fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }

  clearTimeout (handle: unknown): void {
    this.pending.delete(handle as number)
  }

  get armed (): number {
    return this.pending.size
  }

  advance (ms: number): void {
    const target = this.t + ms
    for (;;) {
      let next: [number, { at: number, fn: () => void }] | undefined
      for (const entry of this.pending) if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry
      if (next === undefined) break
      this.pending.delete(next[0])
      this.t = Math.max(this.t, next[1].at)
      next[1].fn()
    }
    this.t = target
  }
}
