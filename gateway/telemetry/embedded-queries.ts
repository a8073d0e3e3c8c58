// Prepared statements of the embedded store: one batch writer and the contract's queries
// (src/telemetry.ts), each answered from a key or index range.
import {
  bucketStarts, type ActivityPoint, type BucketQuery, type CountBucket, type HealthBucket, type HealthPoint,
  type TelemetryPoint, type TimeRange, type VillageBucket
} from '../../src/telemetry.ts'
import type { TelemetryDb } from './embedded-schema.ts'

// Floor to a multiple of @bucket since the epoch. SQLite's % truncates toward zero (and casts to
// integer), so the double modulo keeps times before 1970 in the right bucket too.
const BUCKET = '(at - ((at % @bucket) + @bucket) % @bucket)'

// Distinct values of an indexed leading column by repeated index seeks (a "loose index scan"),
// instead of reading every row: there are a handful of villages and devices, and millions of rows.
const distinct = (table: string, column: string): string => `
  WITH RECURSIVE d(v) AS (
    SELECT MIN(${column}) FROM ${table}
    UNION ALL SELECT (SELECT MIN(${column}) FROM ${table} WHERE ${column} > d.v) FROM d WHERE d.v IS NOT NULL
  ) SELECT v FROM d WHERE v IS NOT NULL`

/** Upper bound on buckets per query, so a mistyped range cannot build an array of millions. */
export const MAX_BUCKETS = 100_000

function checkBuckets (query: BucketQuery): void {
  if (!(Number.isInteger(query.bucketMs) && query.bucketMs > 0)) throw new Error(`bucketMs must be a positive integer, got ${query.bucketMs}`)
  if (!(Number.isFinite(query.from) && Number.isFinite(query.to))) throw new Error('from and to must be finite')
  if ((query.to - query.from) / query.bucketMs > MAX_BUCKETS) throw new Error(`more than ${MAX_BUCKETS} buckets requested`)
}

interface ActivityRow { village: string, home: string, device: string, at: number, src: 'device' | 'gateway' }
interface HealthRow { start: number, battery: number | null, online: number | null, rssi: number | null, linkquality: number | null }

export type EmbeddedQueries = ReturnType<typeof prepareQueries>

export function prepareQueries (db: TelemetryDb) {
  const insertActivity = db.prepare('INSERT OR IGNORE INTO activity (village, home, device, at, src) VALUES (?, ?, ?, ?, ?)')
  const upsertHealth = db.prepare(`
    INSERT INTO device_health (village, home, device, kind, at, online, battery, rssi, linkquality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (device, at) DO UPDATE SET
      online = COALESCE(excluded.online, online), battery = COALESCE(excluded.battery, battery),
      rssi = COALESCE(excluded.rssi, rssi), linkquality = COALESCE(excluded.linkquality, linkquality)`)
  const writeHealth = (p: HealthPoint): void => {
    upsertHealth.run(p.villageId, p.homeId, p.deviceId, p.deviceKind, Math.floor(p.at),
      p.online === undefined ? null : p.online ? 1 : 0, p.battery ?? null, p.rssi ?? null, p.linkquality ?? null)
  }
  /** One transaction for the whole batch: one WAL append and one commit instead of one per point. */
  const writeBatch = db.transaction((points: readonly TelemetryPoint[]) => {
    for (const p of points) {
      if (p.kind === 'activity') insertActivity.run(p.villageId, p.homeId, p.deviceId, Math.floor(p.at), p.timeSource)
      else writeHealth(p)
    }
  })

  const countsByBucket = db.prepare(`SELECT ${BUCKET} AS start, COUNT(*) AS n FROM activity
    WHERE home = @home AND at >= @from AND at < @to GROUP BY start`).raw()
  const lastByHome = db.prepare('SELECT home, MAX(at) FROM activity GROUP BY home').raw()
  const lastByDevice = db.prepare('SELECT device, MAX(at) FROM activity WHERE home = ? GROUP BY device').raw()
  const events = db.prepare(`SELECT village, home, device, at, src FROM activity
    WHERE home = ? AND at >= ? AND at < ? ORDER BY at, device`)
  const health = db.prepare(`SELECT ${BUCKET} AS start, AVG(battery) AS battery, AVG(online) AS online,
    AVG(rssi) AS rssi, AVG(linkquality) AS linkquality FROM device_health
    WHERE device = @device AND at >= @from AND at < @to GROUP BY start ORDER BY start`)
  const village = db.prepare(`SELECT ${BUCKET} AS start, COUNT(*), COUNT(DISTINCT home) FROM activity
    WHERE village = @village AND at >= @from AND at < @to GROUP BY start`).raw()
  const deleteHomeActivity = db.prepare('DELETE FROM activity WHERE home = ?')
  const deleteHomeHealth = db.prepare('DELETE FROM device_health WHERE home = ?')
  const pruneActivity = db.prepare(`DELETE FROM activity WHERE village IN (${distinct('activity', 'village')}) AND at < ?`)
  const pruneHealth = db.prepare(`DELETE FROM device_health WHERE device IN (${distinct('device_health', 'device')}) AND at < ?`)

  return {
    writeBatch: (points: readonly TelemetryPoint[]): void => { writeBatch(points) },

    activityCounts (homeId: string, q: BucketQuery): CountBucket[] {
      checkBuckets(q)
      const rows = countsByBucket.all({ home: homeId, from: q.from, to: q.to, bucket: q.bucketMs }) as [number, number][]
      const byStart = new Map(rows)
      return bucketStarts(q).map((start) => ({ start, count: byStart.get(start) ?? 0 }))
    },

    lastActivityByHome: (): Map<string, number> => new Map(lastByHome.all() as [string, number][]),

    lastActivityByDevice: (homeId: string): Map<string, number> => new Map(lastByDevice.all(homeId) as [string, number][]),

    activityEvents (homeId: string, r: TimeRange): ActivityPoint[] {
      return (events.all(homeId, r.from, r.to) as ActivityRow[]).map((row) => ({
        kind: 'activity', villageId: row.village, homeId: row.home, deviceId: row.device, at: row.at, timeSource: row.src
      }))
    },

    deviceHealth (deviceId: string, q: BucketQuery): HealthBucket[] {
      checkBuckets(q)
      // AVG skips NULLs, so each field averages only the reports that carried it; online is 0/1, so
      // its mean is the fraction of online reports.
      return health.all({ device: deviceId, from: q.from, to: q.to, bucket: q.bucketMs }) as HealthRow[]
    },

    villageActivity (villageId: string, q: BucketQuery): VillageBucket[] {
      checkBuckets(q)
      const rows = village.all({ village: villageId, from: q.from, to: q.to, bucket: q.bucketMs }) as [number, number, number][]
      const byStart = new Map(rows.map(([start, events, homes]) => [start, { events, homes }]))
      return bucketStarts(q).map((start) => {
        const b = byStart.get(start)
        return { start, events: b?.events ?? 0, activeHomes: b?.homes ?? 0 }
      })
    },

    deleteHome: db.transaction((homeId: string): void => {
      deleteHomeActivity.run(homeId)
      deleteHomeHealth.run(homeId)
    }),

    /** Delete rows older than `before`; returns how many. */
    prune: db.transaction((before: number): number => pruneActivity.run(before).changes + pruneHealth.run(before).changes)
  }
}
