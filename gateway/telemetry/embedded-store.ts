// The zero-setup telemetry store: a SQLite file of its own (`<dataDir>/telemetry.db`). MQTT ingest
// calls write() on its hot path, so write() only validates and queues; the queue is committed in one
// transaction per batch, when it reaches batchSize or on a timer, whichever comes first.
import type { Clock } from '../../src/clock.ts'
import {
  hasFields, type ActivityPoint, type BucketQuery, type CountBucket, type HealthBucket, type TelemetryPoint,
  type TelemetryStats, type TelemetryStore, type TimeRange, type VillageBucket
} from '../../src/telemetry.ts'
import type { Logger } from '../logger.ts'
import { openTelemetryDb, type TelemetryDb } from './embedded-schema.ts'
import { prepareQueries, type EmbeddedQueries } from './embedded-queries.ts'
import { isWellFormed } from './embedded-validate.ts'

export interface EmbeddedStoreOptions {
  path: string
  clock: Clock
  log: Logger
  /** Points per transaction; 5000 commit in ~30 ms (bench/embedded-telemetry.ts), during which the event loop waits. */
  batchSize?: number
  /** Longest a point waits in memory before it is committed. */
  flushIntervalMs?: number
  /** Delete points older than this many days; unset keeps everything. */
  retentionDays?: number
}

const DAY_MS = 86_400_000
const RETENTION_EVERY_MS = 3_600_000
/**
 * While the file cannot be written (disk full, I/O error) the queue keeps points for retry, up to this
 * many batches; older points beyond that are dropped and counted, so memory stays bounded.
 */
const MAX_QUEUED_BATCHES = 50

/**
 * Points committed per turn of the event loop by the background flush. Inserting a health point for one
 * of 10,000 devices costs ~30 µs, so a 5,000-point transaction held the loop ~150 ms and PUBACKs waited
 * behind it (npm run bench -- connections); 1,000 per turn keeps a stall near 30 ms.
 */
const BACKGROUND_SLICE = 1000

export class EmbeddedTelemetryStore implements TelemetryStore {
  readonly kind = 'embedded' as const
  private readonly batchSize: number
  private readonly flushIntervalMs: number
  private db: TelemetryDb | undefined
  private q: EmbeddedQueries | undefined
  private queue: TelemetryPoint[] = []
  private written = 0
  private dropped = 0
  private rejected = 0
  private failing = false
  private closed = false
  private flushTimer: NodeJS.Timeout | undefined
  private retentionTimer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined

  constructor (private readonly opts: EmbeddedStoreOptions) {
    this.batchSize = Math.max(1, opts.batchSize ?? 5000)
    this.flushIntervalMs = Math.max(1, opts.flushIntervalMs ?? 1000)
  }

  async start (): Promise<void> {
    if (this.db) return
    this.db = openTelemetryDb(this.opts.path)
    this.q = prepareQueries(this.db)
    // Timers are unref'd: a pending flush must not keep the process alive; close() flushes anyway.
    this.flushTimer = setInterval(() => this.flushQuietly(), this.flushIntervalMs).unref()
    // Retention: the cut-off is read from the injected clock at start and then hourly, so an hour's
    // worth of expired rows is deleted at a time, in one short transaction.
    if (this.opts.retentionDays !== undefined) {
      this.applyRetention()
      this.retentionTimer = setInterval(() => this.applyRetention(), RETENTION_EVERY_MS).unref()
    }
    this.opts.log.info({ path: this.opts.path, retentionDays: this.opts.retentionDays }, 'embedded telemetry store started')
  }

  write (points: readonly TelemetryPoint[]): void {
    try {
      if (this.closed || !Array.isArray(points)) return
      for (const p of points) {
        if (!isWellFormed(p)) this.rejected++
        else if (hasFields(p)) this.queue.push(p)
      }
      if (this.queue.length >= this.batchSize && this.immediate === undefined && this.db) {
        // Commit on the next turn of the event loop, not inside the caller's MQTT callback.
        this.immediate = setImmediate(() => { this.immediate = undefined; this.flushQuietly() })
      }
    } catch (err) {
      // Unreachable with the checks above; the contract says write() never throws, so make sure.
      this.opts.log.error({ err }, 'telemetry write failed')
    }
  }

  async flush (): Promise<void> {
    this.flushNow()
  }

  async activityCounts (homeId: string, query: BucketQuery): Promise<CountBucket[]> {
    return this.queries().activityCounts(homeId, query)
  }

  async lastActivityByHome (): Promise<Map<string, number>> {
    return this.queries().lastActivityByHome()
  }

  async lastActivityByDevice (homeId: string): Promise<Map<string, number>> {
    return this.queries().lastActivityByDevice(homeId)
  }

  async activityEvents (homeId: string, range: TimeRange): Promise<ActivityPoint[]> {
    return this.queries().activityEvents(homeId, range)
  }

  async deviceHealth (deviceId: string, query: BucketQuery): Promise<HealthBucket[]> {
    return this.queries().deviceHealth(deviceId, query)
  }

  async villageActivity (villageId: string, query: BucketQuery): Promise<VillageBucket[]> {
    return this.queries().villageActivity(villageId, query)
  }

  async deleteHome (homeId: string): Promise<void> {
    const q = this.queries()
    // Queued points first: committed later, they would bring the home's data back.
    this.queue = this.queue.filter((p) => p.homeId !== homeId)
    q.deleteHome(homeId)
  }

  stats (): TelemetryStats {
    // The in-memory queue is this store's only buffer: points it had to drop count as droppedSpoolFull.
    return { queued: this.queue.length, spooled: 0, spoolBytes: 0, spoolLimitBytes: 0, written: this.written, droppedSpoolFull: this.dropped }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.flushTimer)
    clearInterval(this.retentionTimer)
    if (this.immediate) clearImmediate(this.immediate)
    try {
      this.flushNow()
    } catch (err) {
      this.opts.log.error({ err, lost: this.queue.length }, 'telemetry not flushed at close; queued points lost')
    }
    this.db?.close()
    this.db = undefined
    this.q = undefined
  }

  private queries (): EmbeddedQueries {
    if (!this.q) throw new Error('embedded telemetry store is not started (or closed)')
    return this.q
  }

  /**
   * Commit up to `max` queued points (all by default), one transaction per batch. Throws when the file
   * cannot be written; the unwritten rest stays queued.
   */
  private flushNow (max = Infinity): void {
    if (this.queue.length === 0) return
    const q = this.queries()
    const pending = this.queue.length <= max ? this.queue : this.queue.slice(0, max)
    this.queue = this.queue.length <= max ? [] : this.queue.slice(max)
    let done = 0
    try {
      while (done < pending.length) {
        const batch = pending.slice(done, done + this.batchSize)
        q.writeBatch(batch)
        done += batch.length
        this.written += batch.length
      }
    } catch (err) {
      this.requeue(pending.slice(done))
      throw err
    }
    if (this.failing) this.opts.log.info({ written: this.written }, 'telemetry writes recovered')
    this.failing = false
  }

  private requeue (unwritten: TelemetryPoint[]): void {
    const all = unwritten.concat(this.queue)
    const excess = all.length - MAX_QUEUED_BATCHES * this.batchSize
    if (excess > 0) {
      this.dropped += excess
      this.opts.log.error({ dropped: excess, totalDropped: this.dropped }, 'telemetry queue full; oldest points dropped')
    }
    this.queue = excess > 0 ? all.slice(excess) : all
  }

  /** Timer-driven flush: errors are logged (once per outage) instead of thrown into a timer. */
  private flushQuietly (): void {
    if (this.rejected > 0) {
      this.opts.log.warn({ rejected: this.rejected }, 'malformed telemetry points dropped')
      this.rejected = 0
    }
    try {
      this.flushNow(Math.min(this.batchSize, BACKGROUND_SLICE))
      // The rest on the next turns, so MQTT traffic is served between slices.
      if (this.queue.length > 0 && this.immediate === undefined && !this.closed) {
        this.immediate = setImmediate(() => { this.immediate = undefined; this.flushQuietly() })
      }
    } catch (err) {
      if (!this.failing) this.opts.log.error({ err, queued: this.queue.length }, 'telemetry write failed; will retry')
      this.failing = true
    }
  }

  private applyRetention (): void {
    const before = this.opts.clock.now() - (this.opts.retentionDays as number) * DAY_MS
    try {
      const deleted = this.queries().prune(before)
      if (deleted > 0) this.opts.log.info({ deleted, before }, 'telemetry retention applied')
    } catch (err) {
      this.opts.log.error({ err }, 'telemetry retention failed')
    }
  }
}
