// InfluxQL for the TelemetryStore queries, and the mapping of InfluxDB's JSON rows onto the contract's
// types. Times are ms epochs both ways (`time >= 123ms` literals, `epoch=ms` results). GROUP BY time()
// buckets are aligned to the epoch, the same alignment as bucketStarts().
import {
  bucketStarts, type ActivityPoint, type BucketQuery, type CountBucket, type HealthBucket, type TimeRange, type VillageBucket
} from '../../src/telemetry.ts'
import { quoteString, type InfluxSeries } from './influx-http.ts'

export const RAW_RP = 'anju_raw'
export const ROLLUP_RP = 'anju_rollup'
export const ROLLUP_CQ = 'anju_activity_1h'
/** Five years of hourly activity counts per home: enough for long-term trends, small (24 points a day per home). */
export const ROLLUP_DAYS = 1825

/**
 * Where the raw measurements are. InfluxDB 1.x: the `anju_raw` retention policy of the database. 2.x/3.x
 * through the v1-compatible /query: the bucket is the database and its default (virtual) retention
 * policy holds the points, so the measurement name alone.
 */
export interface RawRefs { activity: string, health: string }
export const V1_RAW: RawRefs = { activity: `"${RAW_RP}"."activity"`, health: `"${RAW_RP}"."device_health"` }
export const V2_RAW: RawRefs = { activity: '"activity"', health: '"device_health"' }

function range (r: TimeRange): string {
  return `time >= ${Math.trunc(r.from)}ms AND time < ${Math.trunc(r.to)}ms`
}

function groupByTime (q: BucketQuery): string {
  return `GROUP BY time(${Math.trunc(q.bucketMs)}ms)`
}

function rows (series: InfluxSeries | undefined): Array<Record<string, unknown>> {
  if (series === undefined) return []
  return (series.values ?? []).map((values) => Object.fromEntries(series.columns.map((c, i) => [c, values[i]])))
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0)
const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null)

// --- activityCounts ---------------------------------------------------------------------------------

export function activityCountsQuery (homeId: string, q: BucketQuery, raw: RawRefs = V1_RAW): string {
  return `SELECT count(motion) AS n FROM ${raw.activity} WHERE home = ${quoteString(homeId)} AND ${range(q)} ${groupByTime(q)} fill(0)`
}

/** Every bucket of the range, from bucketStarts(): InfluxDB omits all of them when the home has no data. */
export function toCountBuckets (series: InfluxSeries[], q: BucketQuery): CountBucket[] {
  const counts = new Map<number, number>()
  for (const row of rows(series[0])) counts.set(num(row.time), num(row.n))
  return bucketStarts(q).map((start) => ({ start, count: counts.get(start) ?? 0 }))
}

// --- last activity ----------------------------------------------------------------------------------

export function lastActivityByHomeQuery (raw: RawRefs = V1_RAW): string {
  return `SELECT last(motion) FROM ${raw.activity} GROUP BY home`
}

export function lastActivityByDeviceQuery (homeId: string, raw: RawRefs = V1_RAW): string {
  return `SELECT last(motion) FROM ${raw.activity} WHERE home = ${quoteString(homeId)} GROUP BY device`
}

/** One series per tag value, each with one row: [time, last]. */
export function toLastByTag (series: InfluxSeries[], tag: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of series) {
    const key = s.tags?.[tag]
    const time = s.values?.[0]?.[0]
    if (key !== undefined && key !== '' && typeof time === 'number') out.set(key, time)
  }
  return out
}

// --- activityEvents ---------------------------------------------------------------------------------

export function activityEventsQuery (homeId: string, r: TimeRange, raw: RawRefs = V1_RAW): string {
  return `SELECT src, village, home, device FROM ${raw.activity} WHERE home = ${quoteString(homeId)} AND ${range(r)} ORDER BY time ASC`
}

export function toActivityPoints (series: InfluxSeries[]): ActivityPoint[] {
  const points = rows(series[0]).map((row): ActivityPoint => ({
    kind: 'activity',
    villageId: String(row.village ?? ''),
    homeId: String(row.home ?? ''),
    deviceId: String(row.device ?? ''),
    at: num(row.time),
    timeSource: row.src === 'gateway' ? 'gateway' : 'device'
  }))
  // InfluxDB merges series by time; same-ms events of two devices come in series order. Make ties stable.
  return points.sort((a, b) => a.at - b.at || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0))
}

// --- deviceHealth -----------------------------------------------------------------------------------

/**
 * Two statements: means plus the number of online reports per bucket, then the number of online=true
 * reports. InfluxQL 1.x cannot average a boolean field, so the online fraction is up / reports.
 * fill(none): only buckets with reports (the contract's "only buckets with reports").
 */
export function deviceHealthQuery (deviceId: string, q: BucketQuery, raw: RawRefs = V1_RAW): string {
  const where = `WHERE device = ${quoteString(deviceId)} AND ${range(q)}`
  return `SELECT mean(battery) AS battery, mean(rssi) AS rssi, mean(linkquality) AS linkquality, count(online) AS reports FROM ${raw.health} ${where} ${groupByTime(q)} fill(none); ` +
    `SELECT count(online) AS up FROM ${raw.health} ${where} AND online = true ${groupByTime(q)} fill(none)`
}

export function toHealthBuckets (results: InfluxSeries[][]): HealthBucket[] {
  const up = new Map<number, number>()
  for (const row of rows(results[1]?.[0])) up.set(num(row.time), num(row.up))
  return rows(results[0]?.[0]).map((row) => {
    const start = num(row.time)
    const reports = num(row.reports)
    return {
      start,
      battery: numOrNull(row.battery),
      online: reports > 0 ? (up.get(start) ?? 0) / reports : null,
      rssi: numOrNull(row.rssi),
      linkquality: numOrNull(row.linkquality)
    }
  })
}

// --- villageActivity --------------------------------------------------------------------------------

/** `home_f` is the home id as a field: InfluxQL can count distinct field values, not tag values. */
export function villageActivityQuery (villageId: string, q: BucketQuery, raw: RawRefs = V1_RAW): string {
  return `SELECT count(motion) AS events, count(distinct(home_f)) AS homes FROM ${raw.activity} WHERE village = ${quoteString(villageId)} AND ${range(q)} ${groupByTime(q)} fill(0)`
}

export function toVillageBuckets (series: InfluxSeries[], q: BucketQuery): VillageBucket[] {
  const byStart = new Map<number, { events: number, homes: number }>()
  for (const row of rows(series[0])) byStart.set(num(row.time), { events: num(row.events), homes: num(row.homes) })
  return bucketStarts(q).map((start) => {
    const found = byStart.get(start)
    return { start, events: found?.events ?? 0, activeHomes: found?.homes ?? 0 }
  })
}

// --- deleteHome -------------------------------------------------------------------------------------

/** Every series of the home in every measurement and retention policy (raw points and the hourly rollup). */
export function deleteHomeQuery (homeId: string): string {
  return `DROP SERIES WHERE home = ${quoteString(homeId)}`
}
