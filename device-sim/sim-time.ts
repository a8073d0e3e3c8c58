// Simulated time: a scheduler that runs tasks at simulated instants, either against the wall clock at
// `speed` times real time, or stepped by hand in tests. One pending task per device or home is kept,
// never a day's events up front, so ten thousand homes cost ten thousand heap entries.
import { CHINA_TZ_OFFSET_MIN, DAY, HOUR, MINUTE } from './routine.ts'

export type Task = (at: number) => void

export interface SimScheduler {
  /** Simulated unix milliseconds. */
  now(): number
  /** Run `task` at simulated time `at` (at once if that has passed); returns a cancel function. */
  at(at: number, task: Task): () => void
  /** Drop every pending task and stop. */
  stop(): void
}

interface Entry { at: number, seq: number, task: Task, cancelled: boolean }

/** A binary min-heap ordered by time, then by insertion (stable for equal times). */
class TaskHeap {
  private readonly items: Entry[] = []
  get size (): number { return this.items.length }
  peek (): Entry | undefined { return this.items[0] }
  push (e: Entry): void {
    const a = this.items
    a.push(e)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(a[i] as Entry, a[parent] as Entry)) break
      ;[a[i], a[parent]] = [a[parent] as Entry, a[i] as Entry]
      i = parent
    }
  }

  pop (): Entry | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.less(a[l] as Entry, a[m] as Entry)) m = l
        if (r < a.length && this.less(a[r] as Entry, a[m] as Entry)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m] as Entry, a[i] as Entry]
        i = m
      }
    }
    return top
  }

  clear (): void { this.items.length = 0 }
  private less (x: Entry, y: Entry): boolean { return x.at < y.at || (x.at === y.at && x.seq < y.seq) }
}

abstract class HeapScheduler implements SimScheduler {
  protected readonly heap = new TaskHeap()
  private seq = 0
  protected stopped = false
  abstract now (): number
  protected abstract wake (): void

  at (at: number, task: Task): () => void {
    const entry: Entry = { at, seq: this.seq++, task, cancelled: false }
    if (this.stopped) return () => {}
    this.heap.push(entry)
    this.wake()
    return () => { entry.cancelled = true }
  }

  /** Run every task due by `until`, in time order; tasks may schedule more. */
  protected runDue (until: number, onEach?: (at: number) => void): void {
    for (let e = this.heap.peek(); e !== undefined && e.at <= until && !this.stopped; e = this.heap.peek()) {
      this.heap.pop()
      if (e.cancelled) continue
      onEach?.(e.at)
      e.task(e.at)
    }
  }

  stop (): void {
    this.stopped = true
    this.heap.clear()
  }
}

/** Simulated time = start + (real elapsed) × speed. One timer, armed for the earliest task. */
export class RealtimeScheduler extends HeapScheduler {
  private readonly realStart: number
  private timer: NodeJS.Timeout | undefined
  private armedFor = Infinity
  private running = false

  /** `realStart`: the wall-clock instant that maps to `start` (worker processes share the parent's). */
  constructor (readonly start: number, readonly speed: number, private readonly realNow: () => number = Date.now, realStart = realNow()) {
    super()
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`)
    this.realStart = realStart
  }

  now (): number { return this.start + (this.realNow() - this.realStart) * this.speed }

  protected wake (): void {
    const next = this.heap.peek()
    if (this.running || next === undefined || next.at >= this.armedFor) return
    clearTimeout(this.timer)
    // Node clamps delays above 2^31-1 ms to 1 ms; re-check at least every minute instead.
    const delay = Math.min(60_000, Math.max(0, (next.at - this.now()) / this.speed))
    this.armedFor = next.at
    this.timer = setTimeout(() => this.fire(), delay)
  }

  private fire (): void {
    this.armedFor = Infinity
    this.running = true
    try {
      this.runDue(this.now())
    } finally {
      this.running = false
    }
    if (!this.stopped) this.wake()
  }

  override stop (): void {
    super.stop()
    clearTimeout(this.timer)
  }
}

/** For tests: time moves only when `advanceTo` says so; `now()` during a task is that task's time. */
export class ManualScheduler extends HeapScheduler {
  private current: number
  constructor (start: number) { super(); this.current = start }
  now (): number { return this.current }
  protected wake (): void {}
  advanceTo (until: number): void {
    this.runDue(until, (at) => { this.current = Math.max(this.current, at) })
    this.current = Math.max(this.current, until)
  }
}

const OFFSET = /^\+(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/
const CLOCK = /^(\d{1,2}):(\d{2})$/

/**
 * A simulated instant from the command line:
 * `+90m`, `+2h`, `+1d6h` (after the start), `06:30` (the first 06:30 village time at or after the
 * start), or an ISO date-time (village time, +08:00, unless it names its own zone).
 */
export function parseSimTime (text: string, start: number, tzOffsetMin = CHINA_TZ_OFFSET_MIN): number {
  const s = text.trim()
  const offset = OFFSET.exec(s)
  if (offset !== null && s !== '+') {
    const [, d, h, m, sec] = offset.map((v) => Number(v ?? 0))
    return start + (d ?? 0) * DAY + (h ?? 0) * HOUR + (m ?? 0) * MINUTE + (sec ?? 0) * 1000
  }
  const clock = CLOCK.exec(s)
  if (clock !== null) {
    const t = localClockOnDay(start, Number(clock[1]), Number(clock[2]), tzOffsetMin)
    return t >= start ? t : t + DAY
  }
  return parseIso(s, tzOffsetMin)
}

/** The simulation's start: `now`, `HH:MM` (today, village time) or an ISO date-time. */
export function parseStart (text: string, realNow: number, tzOffsetMin = CHINA_TZ_OFFSET_MIN): number {
  const s = text.trim()
  if (s === 'now') return realNow
  const clock = CLOCK.exec(s)
  if (clock !== null) return localClockOnDay(realNow, Number(clock[1]), Number(clock[2]), tzOffsetMin)
  return parseIso(s, tzOffsetMin)
}

function localClockOnDay (ref: number, hours: number, minutes: number, tzOffsetMin: number): number {
  if (hours > 23 || minutes > 59) throw new Error(`not a time of day: ${hours}:${minutes}`)
  const tz = tzOffsetMin * MINUTE
  const midnight = Math.floor((ref + tz) / DAY) * DAY - tz
  return midnight + hours * HOUR + minutes * MINUTE
}

function parseIso (s: string, tzOffsetMin: number): number {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(s)
  const sign = tzOffsetMin < 0 ? '-' : '+'
  const abs = Math.abs(tzOffsetMin)
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  const withTime = s.includes('T') ? s : s + 'T00:00'
  const t = Date.parse(hasZone ? s : withTime + zone)
  if (Number.isNaN(t)) throw new Error(`not a time: "${s}" (use +90m, +2h, 06:30 or 2025-03-01T06:30)`)
  return t
}

/** Village-time rendering for progress lines, e.g. "2025-03-01 06:30". */
export function formatSimTime (t: number, tzOffsetMin = CHINA_TZ_OFFSET_MIN): string {
  return new Date(t + tzOffsetMin * MINUTE).toISOString().slice(0, 16).replace('T', ' ')
}
