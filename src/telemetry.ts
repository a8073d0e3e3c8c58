// The telemetry contract: what becomes a time-series point, and what the rest of the product asks of
// the history. Two stores implement it (gateway/telemetry/): embedded SQLite (default) and InfluxDB.
// Pure types and helpers only; time is passed in.
//
// Schema (both stores; InfluxDB measurement names shown):
//   activity       tags: village, home, device   fields: motion=1i, src="device"|"gateway"   one point per rising edge
//   device_health  tags: village, home, device, kind   fields: online (bool), battery, rssi, linkquality (floats), any subset
// Tags are registry ids only (bounded: a village has tens of homes, a home 1-4 devices); never a person's
// name. A point is identified by measurement + tags + time (ms), so writing it twice stores it once:
// spool replays are idempotent.

export interface ActivityPoint {
  kind: 'activity'
  villageId: string
  homeId: string
  deviceId: string
  /** Unix ms. */
  at: number
  timeSource: 'device' | 'gateway'
}

export interface HealthPoint {
  kind: 'health'
  villageId: string
  homeId: string
  deviceId: string
  deviceKind: 'sensor' | 'hub' | 'hub-sensor'
  at: number
  online?: boolean
  battery?: number
  rssi?: number
  linkquality?: number
}

export type TelemetryPoint = ActivityPoint | HealthPoint

export interface TimeRange {
  /** Inclusive, unix ms. */
  from: number
  /** Exclusive, unix ms. */
  to: number
}

export interface BucketQuery extends TimeRange {
  /** Bucket width in ms, e.g. 3_600_000 for hourly; buckets are aligned to multiples of it since the epoch (UTC). */
  bucketMs: number
}

export interface CountBucket {
  /** Bucket start, unix ms. */
  start: number
  count: number
}

export interface HealthBucket {
  start: number
  /** Mean battery % of the reports in the bucket, null when none reported battery. */
  battery: number | null
  /** Fraction (0..1) of online=true among the bucket's online/offline reports; null when none. */
  online: number | null
  rssi: number | null
  linkquality: number | null
}

export interface VillageBucket {
  start: number
  /** Activity events in the village in this bucket. */
  events: number
  /** Distinct homes with at least one activity in this bucket (an aggregate: no home is named). */
  activeHomes: number
}

export interface TelemetryStats {
  /** Points accepted but not yet durable anywhere (in memory). */
  queued: number
  /** Points on the on-disk spool waiting for the store (0 for the embedded store). */
  spooled: number
  spoolBytes: number
  spoolLimitBytes: number
  /** Points written to the store since start. */
  written: number
  /** Points dropped because the spool was full (should stay 0; logged loudly). */
  droppedSpoolFull: number
}

export interface TelemetryStore {
  readonly kind: 'embedded' | 'influxdb'
  /** Create tables / database, retention policy and downsampling when missing; replay any spool. */
  start(): Promise<void>
  /** Accept points. Never blocks and never throws: MQTT ingest calls this on its hot path. */
  write(points: readonly TelemetryPoint[]): void
  /** Resolve once every point written before the call is durable (in the store or on the spool). */
  flush(): Promise<void>
  /** Activity events per bucket for one home; every bucket in range is present (count 0 included). */
  activityCounts(homeId: string, query: BucketQuery): Promise<CountBucket[]>
  /** Latest activity time per home (all homes): restored into the alert engine at start-up. */
  lastActivityByHome(): Promise<Map<string, number>>
  /** Latest activity time per device of one home. */
  lastActivityByDevice(homeId: string): Promise<Map<string, number>>
  /** Raw activity events of one home in a range, oldest first. */
  activityEvents(homeId: string, range: TimeRange): Promise<ActivityPoint[]>
  /** Battery, uptime and signal trend of one device; only buckets with reports are returned. */
  deviceHealth(deviceId: string, query: BucketQuery): Promise<HealthBucket[]>
  /** Village-level aggregates per bucket (township overview); every bucket in range is present. */
  villageActivity(villageId: string, query: BucketQuery): Promise<VillageBucket[]>
  /** Privacy: delete every point of a home (its resident's data). */
  deleteHome(homeId: string): Promise<void>
  stats(): TelemetryStats
  /** Flush what can be flushed (to the store, else the spool) and release resources. */
  close(): Promise<void>
}

/** Bucket starts covering [from, to), aligned to multiples of bucketMs. */
export function bucketStarts (query: BucketQuery): number[] {
  const out: number[] = []
  const first = Math.floor(query.from / query.bucketMs) * query.bucketMs
  for (let start = first; start < query.to; start += query.bucketMs) out.push(start)
  return out
}

// InfluxDB line protocol escaping (https://docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference/).
const escapeTag = (v: string): string => v.replace(/[,= \\]/g, (c) => '\\' + c)
const escapeString = (v: string): string => v.replace(/["\\]/g, (c) => '\\' + c)

/** True when a point carries something to store (a health point needs at least one field). */
export function hasFields (point: TelemetryPoint): boolean {
  return point.kind === 'activity' || point.online !== undefined || point.battery !== undefined || point.rssi !== undefined || point.linkquality !== undefined
}

/** One point as InfluxDB line protocol with millisecond precision (`precision=ms`). Requires hasFields(point). */
export function toLineProtocol (point: TelemetryPoint): string {
  const tags = `village=${escapeTag(point.villageId)},home=${escapeTag(point.homeId)},device=${escapeTag(point.deviceId)}`
  if (point.kind === 'activity') {
    return `activity,${tags} motion=1i,src="${escapeString(point.timeSource)}",home_f="${escapeString(point.homeId)}" ${point.at}`
  }
  const fields: string[] = []
  if (point.online !== undefined) fields.push(`online=${point.online ? 'true' : 'false'}`)
  if (point.battery !== undefined) fields.push(`battery=${point.battery}`)
  if (point.rssi !== undefined) fields.push(`rssi=${point.rssi}`)
  if (point.linkquality !== undefined) fields.push(`linkquality=${point.linkquality}`)
  return `device_health,${tags},kind=${escapeTag(point.deviceKind)} ${fields.join(',')} ${point.at}`
}
