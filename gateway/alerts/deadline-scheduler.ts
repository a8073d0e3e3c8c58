// Exact deadlines for many homes on ONE timer: a binary min-heap of (at, key) with lazy invalidation.
// Setting a key pushes a new entry and records the key's current deadline; stale entries are skipped
// when they reach the top. Cost per set is O(log n); the timer is re-armed only when the earliest changes.
import type { Timers } from '../../src/clock.ts'

export type { Timers }

// setTimeout overflows above 2^31-1 ms (~24.8 days) and fires at once; longer waits are re-armed.
const MAX_DELAY_MS = 2_147_483_647

interface Entry { at: number, key: string }

export class DeadlineScheduler {
  private heap: Entry[] = []
  private readonly current = new Map<string, number>()
  private timer: unknown = null
  private armedFor: number | null = null
  private running = false
  private firing = false

  constructor (private readonly timers: Timers, private readonly onDue: (key: string, at: number) => void) {}

  get size (): number {
    return this.current.size
  }

  get (key: string): number | undefined {
    return this.current.get(key)
  }

  set (key: string, at: number): void {
    if (this.current.get(key) === at) return
    this.current.set(key, at)
    this.push({ at, key })
    // Stale entries pile up when deadlines move (every motion moves one); rebuild when they dominate.
    if (this.heap.length > 2 * this.current.size + 1024) this.compact()
    if (this.armedFor === null || at < this.armedFor) this.arm()
  }

  /** Make sure `key` is looked at no later than `at`; an earlier entry is kept (its handler re-checks). */
  ensureBy (key: string, at: number): void {
    const existing = this.current.get(key)
    if (existing === undefined || existing > at) this.set(key, at)
  }

  delete (key: string): void {
    this.current.delete(key)
  }

  start (): void {
    this.running = true
    this.arm()
  }

  stop (): void {
    this.running = false
    this.disarm()
  }

  private disarm (): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = null
    this.armedFor = null
  }

  private arm (): void {
    if (!this.running || this.firing) return
    this.disarm()
    const top = this.peek()
    if (top === undefined) return
    this.armedFor = top.at
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, top.at - this.timers.now()))
    this.timer = this.timers.setTimeout(() => this.fire(), delay)
  }

  private fire (): void {
    this.timer = null
    this.armedFor = null
    this.firing = true
    try {
      for (;;) {
        const top = this.peek()
        if (top === undefined || top.at > this.timers.now()) break
        this.pop()
        this.current.delete(top.key)
        this.onDue(top.key, top.at)
      }
    } finally {
      this.firing = false
    }
    this.arm()
  }

  /** The earliest live entry, dropping stale ones on the way. */
  private peek (): Entry | undefined {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined || this.current.get(top.key) === top.at) return top
      this.pop()
    }
  }

  private compact (): void {
    this.heap = [...this.current].map(([key, at]) => ({ at, key }))
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i)
  }

  private push (entry: Entry): void {
    const h = this.heap
    h.push(entry)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((h[parent] as Entry).at <= entry.at) break
      h[i] = h[parent] as Entry
      i = parent
    }
    h[i] = entry
  }

  private pop (): void {
    const last = this.heap.pop()
    if (last === undefined || this.heap.length === 0) return
    this.heap[0] = last
    this.down(0)
  }

  private down (start: number): void {
    const h = this.heap
    const entry = h[start] as Entry
    let i = start
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const r = l + 1
      const c = r < h.length && (h[r] as Entry).at < (h[l] as Entry).at ? r : l
      if ((h[c] as Entry).at >= entry.at) break
      h[i] = h[c] as Entry
      i = c
    }
    h[i] = entry
  }
}
