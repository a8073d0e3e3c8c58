// TelemetryStore on InfluxDB 1.x (production), with Anju's durable spool in front of it.
//
// Write path. write() only converts to line protocol and queues in memory (never blocks, never throws).
// Batches of batchSize lines (or whatever waited flushIntervalMs) are POSTed, up to `concurrency` at a
// time ("direct mode"). A batch that fails (network error, timeout, 5xx, 404 database not found, 401/403:
// anything but 204 except a 400) goes to the spool and the store switches to "spool mode": every later
// batch is appended to the spool too, and one replay loop sends the spool's oldest batches (backoff
// 250 ms doubling to 10 s) until the spool is empty, then returns to direct mode.
//
// Order: each batch gets its spool seq when it is cut, so a batch in flight that fails after newer
// batches were spooled still lands in front of them; and the replay starts only once the direct
// batches have settled. New points never overtake spooled ones.
// No loss, no duplicates: a point leaves the spool only after a 204; a batch resent after an ambiguous
// timeout is stored once (a point is measurement + tags + ms time).
// A 400 is a poison batch (field type conflict, points beyond the retention policy, unparsable line):
// InfluxDB 1.x has already written the batch's valid points and refuses the rest, so resending can never
// succeed and would block the spool forever. It is dropped with an error log line naming the count.
// Backpressure: when InfluxDB is slower than ingest and more than 48 batches wait in memory, the queue
// spills to the spool instead of growing; ingest never waits.
import type { Clock } from '../../src/clock.ts'
import {
  hasFields, toLineProtocol, type ActivityPoint, type BucketQuery, type CountBucket, type HealthBucket, type TelemetryPoint,
  type TelemetryStats, type TelemetryStore, type TimeRange, type VillageBucket
} from '../../src/telemetry.ts'
import type { Logger } from '../logger.ts'
import { isWellFormed } from './embedded-validate.ts'
import { InfluxHttp, type LineSink } from './influx-http.ts'
import * as q from './influx-queries.ts'
import { ensureSchema } from './influx-schema.ts'
import { Influx2Lines } from './influx2-lines.ts'
import { deleteHome2, ensureSchema2 } from './influx2-schema.ts'
import { InfluxWriter } from './influx-writer.ts'
import { Spool } from './spool.ts'

/** Activity line prefixes kept (one per device and time source): a village has a few hundred devices. */
const MAX_CACHED_PREFIXES = 100_000

/**
 * InfluxDB 2.x / 3.x / Cloud instead of 1.x: writes through @influxdata/influxdb-client (token, org,
 * bucket; `database` is then the bucket), reads through the v1-compatible /query (influx2-schema.ts).
 */
export interface Influx2Api {
  token: string
  org: string
  /** Create buckets and the rollup task when missing (2.x); false for 3.x, which has neither API. */
  manageSchema: boolean
}

export interface InfluxStoreOptions {
  url: string
  /** 1.x: the database; 2.x/3.x: the bucket. */
  database: string
  v2?: Influx2Api
  username?: string
  password?: string
  /** Raw points are kept this many days (0: forever). */
  retentionDays: number
  /** Lines per POST; InfluxDB recommends 5,000. */
  batchSize?: number
  flushIntervalMs?: number
  /** Per request. */
  timeoutMs?: number
  /** POSTs in flight at once (direct writes and spool replay). */
  concurrency?: number
  spoolPath: string
  spoolMaxBytes: number
  clock: Clock
  log: Logger
}

export class InfluxTelemetryStore implements TelemetryStore {
  readonly kind = 'influxdb' as const
  private readonly opts: InfluxStoreOptions
  private readonly http: InfluxHttp
  private readonly raw: q.RawRefs
  private readonly deleteSeries: (homeId: string) => Promise<void>
  private readonly spool: Spool
  private readonly writer: InfluxWriter
  private closed = false
  private readonly prefixes = new Map<string, string>()

  constructor (opts: InfluxStoreOptions) {
    this.opts = opts
    const log = opts.log.child({ feature: 'telemetry', store: 'influxdb' })
    const timeoutMs = opts.timeoutMs ?? 10_000
    const v2 = opts.v2
    this.http = new InfluxHttp({ url: opts.url, database: opts.database, username: opts.username, password: opts.password, token: v2?.token, timeoutMs })
    let lines: LineSink = this.http
    let schema = async (): Promise<void> => { await ensureSchema(this.http, opts.database, opts.retentionDays) }
    this.raw = q.V1_RAW
    this.deleteSeries = async (homeId) => { await this.http.query(q.deleteHomeQuery(homeId)) }
    if (v2 !== undefined) {
      const sink = new Influx2Lines({ url: opts.url, token: v2.token, org: v2.org, bucket: opts.database, timeoutMs })
      lines = sink
      schema = async () => { if (v2.manageSchema) await ensureSchema2(sink.client, v2.org, opts.database, opts.retentionDays) }
      this.raw = q.V2_RAW
      this.deleteSeries = async (homeId) => { await deleteHome2(sink.client, v2.org, opts.database, homeId) }
    }
    this.spool = new Spool({ path: opts.spoolPath, maxBytes: opts.spoolMaxBytes, log, clock: opts.clock })
    this.writer = new InfluxWriter({
      http: lines,
      spool: this.spool,
      log,
      batchSize: opts.batchSize ?? 5000,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      concurrency: opts.concurrency ?? 2,
      ensureSchema: schema
    })
  }

  /**
   * Create the database, retention policies and continuous query when missing, then replay the spool.
   * InfluxDB being down is not fatal: the gateway runs on, points go to the spool, and the replay loop
   * creates the schema once InfluxDB answers.
   */
  async start (): Promise<void> {
    await this.writer.start()
  }

  write (points: readonly TelemetryPoint[]): void {
    const lines: string[] = []
    for (const point of points) {
      // A malformed point (a caller bug) is dropped alone: it would make InfluxDB refuse its whole batch.
      if (!isWellFormed(point) || !hasFields(point)) continue
      lines.push(point.kind === 'activity' ? this.activityLine(point) : toLineProtocol(point))
    }
    this.writer.enqueue(lines)
  }

  /**
   * toLineProtocol(), cached: an activity line differs from the device's previous one only in its
   * timestamp, so the escaped tags and fields are built once per device. Measured on 200k points:
   * write() including validation and queueing took 0.5-0.8x the time of bare toLineProtocol() calls,
   * CPU that would otherwise compete with influxd on a small box. Ids never hold a NUL.
   */
  private activityLine (point: ActivityPoint): string {
    const key = `${point.villageId}\0${point.homeId}\0${point.deviceId}\0${point.timeSource}`
    let prefix = this.prefixes.get(key)
    if (prefix === undefined) {
      if (this.prefixes.size >= MAX_CACHED_PREFIXES) this.prefixes.clear()
      prefix = toLineProtocol({ ...point, at: 0 }).slice(0, -1) // drop the "0", keep the space
      this.prefixes.set(key, prefix)
    }
    return prefix + String(point.at)
  }

  async flush (): Promise<void> {
    await this.writer.flush()
  }

  // Queries flush first, so what was written before a query is read by it (read-your-writes) while
  // InfluxDB is up. Points still on the spool (InfluxDB was down) appear once the replay has sent them.

  async activityCounts (homeId: string, query: BucketQuery): Promise<CountBucket[]> {
    await this.flush()
    const [series = []] = await this.http.query(q.activityCountsQuery(homeId, query, this.raw))
    return q.toCountBuckets(series, query)
  }

  async lastActivityByHome (): Promise<Map<string, number>> {
    await this.flush()
    const [series = []] = await this.http.query(q.lastActivityByHomeQuery(this.raw))
    return q.toLastByTag(series, 'home')
  }

  async lastActivityByDevice (homeId: string): Promise<Map<string, number>> {
    await this.flush()
    const [series = []] = await this.http.query(q.lastActivityByDeviceQuery(homeId, this.raw))
    return q.toLastByTag(series, 'device')
  }

  async activityEvents (homeId: string, range: TimeRange): Promise<ActivityPoint[]> {
    await this.flush()
    const [series = []] = await this.http.query(q.activityEventsQuery(homeId, range, this.raw))
    return q.toActivityPoints(series)
  }

  async deviceHealth (deviceId: string, query: BucketQuery): Promise<HealthBucket[]> {
    await this.flush()
    return q.toHealthBuckets(await this.http.query(q.deviceHealthQuery(deviceId, query, this.raw)))
  }

  async villageActivity (villageId: string, query: BucketQuery): Promise<VillageBucket[]> {
    await this.flush()
    const [series = []] = await this.http.query(q.villageActivityQuery(villageId, query, this.raw))
    return q.toVillageBuckets(series, query)
  }

  /**
   * Privacy: the home's points leave memory and the spool first, then every series of the home is dropped
   * from InfluxDB (raw and rollup). Batches already in flight are awaited in between so none of the
   * home's points can land after the DROP.
   */
  async deleteHome (homeId: string): Promise<void> {
    await this.writer.forget(homeId)
    await this.deleteSeries(homeId)
  }

  stats (): TelemetryStats {
    const spool = this.spool.stats()
    return {
      queued: this.writer.inMemory(),
      spooled: spool.points,
      spoolBytes: spool.bytes,
      spoolLimitBytes: spool.limitBytes,
      written: this.writer.written,
      droppedSpoolFull: spool.dropped
    }
  }

  /** Stop the timers, send what is queued (one try within the timeout, else the spool), close the spool. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writer.close()
    this.spool.close()
    this.http.close()
  }
}
