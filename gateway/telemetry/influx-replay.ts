// Replaying the spool into InfluxDB: one pass with a sliding window of requests, and the backoff
// between passes while InfluxDB is unavailable.
import type { Logger } from '../logger.ts'
import type { LineSink, WriteResult } from './influx-http.ts'
import type { Spool, SpoolBatch } from './spool.ts'

const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 10_000
/** At the ceiling, one warning per this many tries (~5 min at 10 s). */
const WARN_EVERY_TRIES = 30

export interface ReplayTarget {
  spool: Spool
  http: LineSink
  concurrency: number
  stopped: () => boolean
  /** Every request in flight right now (deleteHome waits for them). */
  sending: (all: Promise<unknown>) => void
  /** After each answer; the batch has already left the spool when ok or poison. */
  settled: (batch: SpoolBatch, result: WriteResult) => void
}

/**
 * Send the spool oldest first with up to `concurrency` requests in flight (a sliding window, so
 * InfluxDB never waits for the slowest of a round), until the spool is empty or a request fails.
 * A batch leaves the spool only on a 204 (or as poison, which can never succeed); after a failure the
 * next pass starts again from the oldest batch left. Only batches appended later than the ones sent
 * can appear during a pass (the writer lets direct requests settle first), so `seq > lastSent` is safe.
 */
export async function replayPass (t: ReplayTarget): Promise<{ replayed: number, failure?: string }> {
  const inFlight = new Map<number, Promise<void>>()
  let lastSent = 0
  let replayed = 0
  let failure: string | undefined
  const sendNext = (): boolean => {
    const batch = t.spool.peekAfter(lastSent)
    if (batch === undefined) return false
    lastSent = batch.seq
    inFlight.set(batch.seq, t.http.write(batch.text).then((result) => {
      inFlight.delete(batch.seq)
      if (result.ok || result.poison) t.spool.remove(batch.seq)
      if (result.ok) replayed += batch.points
      else if (!result.poison) failure ??= result.status === 0 ? result.error : `HTTP ${result.status} ${result.error}`
      t.settled(batch, result)
    }))
    return true
  }
  for (;;) {
    while (failure === undefined && !t.stopped() && inFlight.size < t.concurrency && sendNext()) { /* fill the window */ }
    if (inFlight.size === 0) return { replayed, failure }
    t.sending(Promise.all(inFlight.values()))
    await Promise.race(inFlight.values())
  }
}

/** 250 ms doubling to 10 s; debug per try, a warning once at the ceiling (~20 s of failures) and every ~5 min after. */
export class Backoff {
  private ms = BACKOFF_MIN_MS
  private triesAtMax = 0
  private wakeUp: (() => void) | undefined

  constructor (private readonly log: Logger, private readonly spooled: () => number) {}

  async retry (error: string): Promise<void> {
    if (this.ms === BACKOFF_MAX_MS && this.triesAtMax++ % WARN_EVERY_TRIES === 0) {
      this.log.warn({ error, spooled: this.spooled() }, 'telemetry: InfluxDB still unavailable, points wait on the spool')
    } else {
      this.log.debug({ error, backoffMs: this.ms }, 'telemetry replay: InfluxDB unavailable, retrying')
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.ms)
      function done (): void { clearTimeout(timer); resolve() }
      this.wakeUp = done
    })
    this.wakeUp = undefined
    this.ms = Math.min(this.ms * 2, BACKOFF_MAX_MS)
  }

  reset (): void {
    this.ms = BACKOFF_MIN_MS
    this.triesAtMax = 0
  }

  /** End a wait early (close()). */
  wake (): void {
    this.wakeUp?.()
  }
}
