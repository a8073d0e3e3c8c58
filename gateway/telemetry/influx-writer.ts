// The write path of the InfluxDB store: memory queue -> direct POSTs, or -> spool -> replay. The rules
// (order, no loss, poison batches, backpressure) are explained at the top of influx-store.ts.
import type { Logger } from '../logger.ts'
import type { LineSink, WriteResult } from './influx-http.ts'
import { Backoff, replayPass } from './influx-replay.ts'
import type { Spool } from './spool.ts'

export interface InfluxWriterOptions {
  http: LineSink
  spool: Spool
  log: Logger
  batchSize: number
  flushIntervalMs: number
  concurrency: number
  /** Create database, retention policies and continuous query; run before the first replay. */
  ensureSchema: () => Promise<void>
}

interface Flight { seq: number, lines: string[], start: number }

/**
 * Batches allowed to wait in memory behind full POST slots before the queue spills to the spool:
 * 16 x 5,000 lines (~10 MB) absorb ~1.6 s of a 50k msg/s burst before paying the spool's fsyncs.
 */
const SPILL_BATCHES = 48

// The tag escaping of src/telemetry.ts toLineProtocol (not exported there), to find a home's lines.
const escapeTag = (v: string): string => v.replace(/[,= \\]/g, (c) => '\\' + c)

export class InfluxWriter {
  /** Points acknowledged by InfluxDB since start. */
  written = 0
  private readonly opts: InfluxWriterOptions
  private queue: string[] = []
  /** Position (in enqueue order) of queue[0]; everything before it is on the wire, on the spool or done. */
  private head = 0
  private mode: 'direct' | 'spool' = 'direct'
  private readonly flights = new Map<number, Flight>()
  /** Cut partial batches while head < flushTo (flush() and the interval timer). */
  private flushTo = 0
  private waiters: Array<{ target: number, resolve: () => void }> = []
  private settledListeners: Array<() => void> = []
  private timer: NodeJS.Timeout | undefined
  private replay: Promise<void> | undefined
  private replaySending: Promise<unknown> | undefined
  private wake: (() => void) | undefined
  private schemaReady = false
  private closing = false
  private droppedAfterClose = 0

  constructor (opts: InfluxWriterOptions) {
    this.opts = opts
  }

  async start (): Promise<void> {
    try {
      await this.opts.ensureSchema()
      this.schemaReady = true
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'InfluxDB unavailable at start: telemetry goes to the spool until it answers')
    }
    this.timer ??= setInterval(() => this.tick(), this.opts.flushIntervalMs)
    this.timer.unref()
    if (!this.schemaReady || this.opts.spool.stats().batches > 0) this.enterSpoolMode(this.schemaReady ? 'spool from before' : 'InfluxDB unavailable')
  }

  enqueue (lines: readonly string[]): void {
    if (this.closing) {
      if (this.droppedAfterClose === 0) this.opts.log.error('telemetry written after close: dropped')
      this.droppedAfterClose += lines.length
      return
    }
    for (const line of lines) this.queue.push(line)
    if (this.queue.length >= this.opts.batchSize) this.pump()
  }

  /** Points in memory: queued or in flight, not yet durable anywhere. */
  inMemory (): number {
    let n = this.queue.length
    for (const flight of this.flights.values()) n += flight.lines.length
    return n
  }

  async flush (): Promise<void> {
    const target = this.head + this.queue.length
    this.flushTo = Math.max(this.flushTo, target)
    this.pump()
    if (this.durableUpTo() >= target) return
    await new Promise<void>((resolve) => this.waiters.push({ target, resolve }))
  }

  /** Drop a home's points from memory and the spool, waiting out requests in flight that may carry them. */
  async forget (homeId: string): Promise<void> {
    const marker = `,home=${escapeTag(homeId)},`
    const keep = (line: string): boolean => !line.includes(marker)
    const before = this.queue.length
    this.queue = this.queue.filter(keep)
    // Kept lines only move later in enqueue order, so a pending flush() never resolves early.
    this.head += before - this.queue.length
    this.opts.spool.filterLines(keep)
    while (this.flights.size > 0) await this.settled()
    await this.replaySending
    // A direct batch that failed meanwhile went to the spool.
    this.opts.spool.filterLines(keep)
    this.resolveWaiters()
  }

  /** Refuse new points, send or spool what is queued, stop the replay (the spool keeps the rest). */
  async close (): Promise<void> {
    if (this.closing) return
    this.closing = true
    clearInterval(this.timer)
    this.timer = undefined
    this.wake?.()
    await this.flush()
    await this.replay
  }

  // --- internals ------------------------------------------------------------------------------------

  private tick (): void {
    this.flushTo = Math.max(this.flushTo, this.head + this.queue.length)
    this.pump()
  }

  private due (): boolean {
    return this.queue.length >= this.opts.batchSize || (this.queue.length > 0 && this.head < this.flushTo)
  }

  private take (): string[] {
    let lines: string[]
    if (this.queue.length <= this.opts.batchSize) {
      lines = this.queue
      this.queue = []
    } else {
      lines = this.queue.splice(0, this.opts.batchSize)
    }
    this.head += lines.length
    return lines
  }

  private pump (): void {
    if (this.mode === 'spool') {
      while (this.due()) this.opts.spool.append(this.take())
    } else {
      while (this.flights.size < this.opts.concurrency && this.due()) this.send()
      if (this.queue.length > SPILL_BATCHES * this.opts.batchSize) this.enterSpoolMode('InfluxDB slower than ingest')
    }
    this.resolveWaiters()
  }

  private send (): void {
    const flight: Flight = { seq: this.opts.spool.reserveSeq(), start: this.head, lines: this.take() }
    this.flights.set(flight.seq, flight)
    void this.opts.http.write(flight.lines.join('\n')).then((result) => this.settle(flight, result))
      .catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'telemetry writer: settling a batch failed'))
  }

  private settle (flight: Flight, result: WriteResult): void {
    this.flights.delete(flight.seq)
    if (result.ok) {
      this.written += flight.lines.length
    } else if (result.poison) {
      this.poisoned(flight.lines.length, result)
    } else {
      if (result.status === 404) this.schemaReady = false
      this.opts.spool.append(flight.lines, flight.seq)
      if (this.mode === 'direct') this.enterSpoolMode(`write failed: ${result.status === 0 ? '' : `HTTP ${result.status} `}${result.error}`)
    }
    const listeners = this.settledListeners
    this.settledListeners = []
    for (const listener of listeners) listener()
    this.pump()
  }

  private poisoned (points: number, result: Extract<WriteResult, { ok: false }>): void {
    this.opts.log.error({ points, status: result.status, error: result.error }, 'InfluxDB refused a telemetry batch (400): dropped, because resending can never succeed')
  }

  private enterSpoolMode (reason: string): void {
    if (this.mode === 'direct') {
      this.mode = 'spool'
      this.opts.log.warn({ reason, queued: this.queue.length, spooled: this.opts.spool.stats().points }, 'telemetry: spooling to disk until InfluxDB takes writes again')
    }
    while (this.queue.length > 0) this.opts.spool.append(this.take())
    if (this.closing || this.replay !== undefined) return
    this.replay = this.runReplay()
      .catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'telemetry spool replay stopped'))
      .finally(() => {
        this.replay = undefined
        // Back in direct mode: send what queued up meanwhile (outside the loop, so a failure can start a new one).
        if (this.mode === 'direct') this.pump()
      })
  }

  private async runReplay (): Promise<void> {
    const backoff = new Backoff(this.opts.log, () => this.opts.spool.stats().points)
    this.wake = () => backoff.wake()
    let replayed = 0
    while (!this.closing) {
      // Batches in flight hold older seqs than anything spooled after them: let them land (or spool) first.
      if (this.flights.size > 0) {
        await this.settled()
        continue
      }
      if (!this.schemaReady) {
        try {
          await this.opts.ensureSchema()
          this.schemaReady = true
        } catch (err) {
          await backoff.retry(`schema: ${(err as Error).message}`)
          continue
        }
      }
      const pass = await replayPass({
        spool: this.opts.spool,
        http: this.opts.http,
        concurrency: this.opts.concurrency,
        stopped: () => this.closing,
        sending: (all) => { this.replaySending = all },
        settled: (batch, result) => {
          if (result.ok) this.written += batch.points
          else if (result.poison) this.poisoned(batch.points, result)
          else if (result.status === 404) this.schemaReady = false
          this.resolveWaiters()
        }
      })
      if (this.closing) return
      if (pass.replayed > 0) {
        replayed += pass.replayed
        backoff.reset()
      }
      if (pass.failure !== undefined) {
        await backoff.retry(pass.failure)
      } else if (this.opts.spool.stats().batches === 0) {
        this.mode = 'direct'
        this.opts.log.info({ replayed }, 'telemetry spool drained: writing to InfluxDB directly again')
        return
      }
    }
  }

  private async settled (): Promise<void> {
    await new Promise<void>((resolve) => this.settledListeners.push(resolve))
  }

  private durableUpTo (): number {
    let upTo = this.head
    for (const flight of this.flights.values()) upTo = Math.min(upTo, flight.start)
    return upTo
  }

  private resolveWaiters (): void {
    if (this.waiters.length === 0) return
    const upTo = this.durableUpTo()
    const pending = []
    for (const waiter of this.waiters) {
      if (waiter.target <= upTo) waiter.resolve()
      else pending.push(waiter)
    }
    this.waiters = pending
  }
}
