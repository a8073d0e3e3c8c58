// The InfluxDB 2.x side of Anju's telemetry schema (the 1.x side is influx-schema.ts), created at
// start-up when missing through the official client's transport (token auth):
//
//   bucket <bucket>           retention <retentionDays> (0: forever); raw points, the same measurements,
//                             tags and fields as on 1.x (activity, device_health)
//   bucket <bucket>_rollup    retention 5 years; activity_1h {village, home} events (int)
//   task anju_activity_1h_<bucket>  every hour, counts the last 2 days of activity per home and hour into the
//                             rollup bucket (recomputing 2 days so points replayed from the spool after an
//                             outage still reach the rollup — the same rule as the 1.x continuous query)
//
// Reads go through the v1-compatible /query endpoint with InfluxQL: 2.x maps every bucket to a database
// of the same name ("virtual DBRP mappings", 2.1 and later), so the queries are the 1.x ones with the
// bucket as database and its default retention policy (influx-queries.ts V2_RAW).
//
// InfluxDB 3.x has neither these management endpoints nor tasks: set telemetry.influx2.manageSchema to
// false and create the database with `influxdb3 create database`; writes and InfluxQL reads work the same.
import type { InfluxDB } from '@influxdata/influxdb-client'
import { ROLLUP_CQ, ROLLUP_DAYS } from './influx-queries.ts'

const DAY_S = 86_400

interface Named { id: string, name: string }

export function rollupBucketName (bucket: string): string {
  return `${bucket}_rollup`
}

/** Tasks belong to the org, not the bucket: the bucket is in the name so two gateways of one org each get theirs. */
export function rollupTaskName (bucket: string): string {
  return `${ROLLUP_CQ}_${bucket}`
}

/** The downsampling task: what the 1.x continuous query anju_activity_1h does, in Flux. */
export function rollupTaskFlux (bucket: string): string {
  return `option task = {name: "${rollupTaskName(bucket)}", every: 1h}

from(bucket: "${bucket}")
  |> range(start: -2d)
  |> filter(fn: (r) => r._measurement == "activity" and r._field == "motion")
  |> group(columns: ["village", "home"])
  |> aggregateWindow(every: 1h, fn: count, createEmpty: false)
  |> map(fn: (r) => ({r with _measurement: "activity_1h", _field: "events"}))
  |> to(bucket: "${rollupBucketName(bucket)}")
`
}

export async function ensureSchema2 (client: InfluxDB, org: string, bucket: string, retentionDays: number): Promise<void> {
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    await client.transport.request(path, body === undefined ? '' : JSON.stringify(body), {
      method, headers: { 'content-type': 'application/json; charset=utf-8' }
    }) as T
  const q = encodeURIComponent
  const { orgs = [] } = await api<{ orgs?: Named[] }>('GET', `/api/v2/orgs?org=${q(org)}`)
  const orgID = orgs.find((o) => o.name === org)?.id
  if (orgID === undefined) throw new Error(`InfluxDB organisation ${org} does not exist (telemetry.influx2.org)`)

  const ensureBucket = async (name: string, days: number): Promise<void> => {
    const retentionRules = days > 0 ? [{ type: 'expire', everySeconds: Math.trunc(days) * DAY_S }] : []
    const { buckets = [] } = await api<{ buckets?: Named[] }>('GET', `/api/v2/buckets?orgID=${q(orgID)}&name=${q(name)}`)
    const found = buckets.find((b) => b.name === name)
    // PATCH when it exists: a changed retentionDays in the config takes effect at the next start.
    if (found !== undefined) await api('PATCH', `/api/v2/buckets/${q(found.id)}`, { retentionRules })
    else await api('POST', '/api/v2/buckets', { orgID, name, retentionRules })
  }
  await ensureBucket(bucket, retentionDays)
  await ensureBucket(rollupBucketName(bucket), ROLLUP_DAYS)

  const task = rollupTaskName(bucket)
  const { tasks = [] } = await api<{ tasks?: Named[] }>('GET', `/api/v2/tasks?orgID=${q(orgID)}&name=${q(task)}`)
  if (!tasks.some((t) => t.name === task)) await api('POST', '/api/v2/tasks', { orgID, flux: rollupTaskFlux(bucket), status: 'active' })
}

/** Privacy: every point of the home in the raw and the rollup bucket (2.x /api/v2/delete; 3.x has none). */
export async function deleteHome2 (client: InfluxDB, org: string, bucket: string, homeId: string): Promise<void> {
  const predicate = `home="${homeId.replace(/["\\]/g, (c) => '\\' + c)}"`
  for (const name of [bucket, rollupBucketName(bucket)]) {
    await client.transport.request(`/api/v2/delete?org=${encodeURIComponent(org)}&bucket=${encodeURIComponent(name)}`,
      JSON.stringify({ start: '1970-01-01T00:00:00Z', stop: '2262-01-01T00:00:00Z', predicate }),
      { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } })
  }
}
