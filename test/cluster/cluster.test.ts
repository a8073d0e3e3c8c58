// Issue 8's proof: three gateway workers behind Mosquitto, sharing Redis, PostgreSQL and InfluxDB, all
// real and on loopback. Residents stop moving, the ladder starts, one worker is SIGKILLed mid-escalation:
// every home keeps exactly one owner within the lease time, every ladder goes on where it was, and no
// alert or notification is lost or doubled (counted at a real webhook receiver and in PostgreSQL).
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Alert } from '../../src/alerts.ts'
import { describeWithService } from '../helpers/system-service.ts'
import { influxdAvailable } from '../helpers/influxd.ts'
import { mosquittoAvailable } from '../helpers/mosquitto.ts'
import { postgresAvailable } from '../helpers/postgres.ts'
import { redisAvailable } from '../helpers/redis.ts'
import { provision, startServices, startWorkerProcess, waitUntil, type ClusterTuning, type Home, type Services, type WorkerProcess } from './cluster-harness.ts'

const HOMES = 24
const TUNING: ClusterTuning = {
  partitions: 16,
  leaseMs: 3_000,
  renewMs: 500,
  thresholdMs: 30_000,
  ladder: { tvTimeoutMs: 15_000, familyTimeoutMs: 20_000, gridTimeoutMs: 60_000 }
}

const requirement = {
  service: 'redis-server, postgresql, mosquitto and influxd',
  available: () => redisAvailable() && postgresAvailable() && mosquittoAvailable() && influxdAvailable(),
  installHint: 'apt-get install redis-server postgresql mosquitto influxdb'
}

interface Health { workerId: string, engines: number[], owned: number[] }

describeWithService(requirement, 'three workers, one killed mid-escalation', () => {
  let services: Services
  let homes: Home[]
  let grid: string
  let workers: WorkerProcess[] = []
  const sensors: MqttClient[] = []

  beforeAll(async () => {
    services = await startServices()
    ;({ homes, grid } = await provision(services, HOMES))
    workers = await Promise.all(['w1', 'w2', 'w3'].map(async (id) => await startWorkerProcess(services, id, TUNING)))
  }, 180_000)

  afterAll(async () => {
    await Promise.all(sensors.map(async (s) => await s.endAsync(true)))
    await Promise.all(workers.map(async (w) => await w.stop()))
    await services?.stop()
  }, 60_000)

  /** Which worker runs which partition's engine, from each live worker's own report. */
  async function engines (live: WorkerProcess[]): Promise<Map<number, string[]>> {
    const byPartition = new Map<number, string[]>()
    for (const w of live) {
      const { body } = await w.api<Health>('GET', '/healthz')
      for (const p of body.engines) byPartition.set(p, [...(byPartition.get(p) ?? []), w.workerId])
    }
    return byPartition
  }

  const exactlyOneEach = (byPartition: Map<number, string[]>): boolean =>
    byPartition.size === TUNING.partitions && [...byPartition.values()].every((owners) => owners.length === 1)

  async function alerts (): Promise<Alert[]> {
    const { rows } = await services.pool.query<{ id: string, home_id: string, state: Alert['state'], rung: string }>(
      "SELECT id, home_id, state, rung FROM alerts WHERE type = 'inactivity'")
    return rows.map((r) => ({ id: r.id, homeId: r.home_id, state: r.state, rung: Number(r.rung) }) as Alert)
  }

  it('splits the partitions, escalates, survives a SIGKILL with one owner per home and nothing lost or sent twice', async () => {
    // Workers start one after another; the first takes everything, then hands the others their share.
    const fair = (split: Map<number, string[]>): boolean => exactlyOneEach(split) &&
      workers.every((w) => [...split.values()].filter((o) => o[0] === w.workerId).length >= Math.floor(TUNING.partitions / workers.length))
    await waitUntil(async () => fair(await engines(workers)), 30_000, 'every partition running on exactly one worker, 5 or 6 each')

    // Every resident moves about (two rising edges: one alone is a lone event), then stays still.
    for (const h of homes) {
      const sensor = await mqtt.connectAsync(services.mosquitto.url, { clientId: h.deviceId, username: h.deviceId, password: h.secret, protocolVersion: 4, reconnectPeriod: 0 })
      sensors.push(sensor)
      for (const motion of [false, true, false, true]) await sensor.publishAsync(`anju/v1/dev/${h.deviceId}/motion`, JSON.stringify({ motion }), { qos: 1 })
    }
    // The threshold passes: each home's TV asks (rung 0), committed to PostgreSQL.
    await waitUntil(async () => (await alerts()).filter((a) => a.rung === 0).length === HOMES, 60_000, `${HOMES} TV check-ins`)

    // Kill the worker that owns the most homes, before any family rung (due 15 s after the TV's).
    const ownerOf = await engines(workers)
    const victim = workers.reduce((best, w) => ([...ownerOf.values()].filter((o) => o[0] === w.workerId).length >
      [...ownerOf.values()].filter((o) => o[0] === best.workerId).length ? w : best))
    const killedAt = Date.now()
    await victim.kill()
    const survivors = workers.filter((w) => w !== victim)
    workers = survivors

    // Within the lease time (plus a few renewals), the survivors run every partition, each exactly once.
    await waitUntil(async () => exactlyOneEach(await engines(survivors)), TUNING.leaseMs + 10 * TUNING.renewMs, 'the survivors taking over every partition')
    const takeoverMs = Date.now() - killedAt
    const { body: owners } = await survivors[0]!.api<{ owners: Record<string, string> }>('GET', '/api/v1/cluster/partitions')
    expect(Object.keys(owners.owners)).toHaveLength(TUNING.partitions)
    expect(new Set(Object.values(owners.owners))).toEqual(new Set(survivors.map((w) => w.workerId)))

    // A family member acknowledges one alert through a survivor's API: routed to its owner, it stops the climb.
    await waitUntil(() => services.deliveries.filter((d) => d.kind === 'alert' && d.hook !== grid).length === HOMES, 60_000, 'every family told')
    const first = homes[0]!
    const acked = (await alerts()).find((a) => a.homeId === first.homeId)!
    const ack = await survivors[1]!.api<{ accepted: boolean }>('POST', `/api/v1/alerts/${acked.id}/ack`, { by: first.family })
    expect(ack.status).toBe(202)
    await waitUntil(async () => (await alerts()).find((a) => a.id === acked.id)?.state === 'acknowledged', 10_000, 'the acknowledgement applied by the owner')

    // Another family says the resident is away: routed to the owner, it answers that home's open alert.
    const travelling = homes[2]!
    const awayAlert = (await alerts()).find((a) => a.homeId === travelling.homeId)!
    const away = await survivors[0]!.api<{ accepted: boolean }>('POST', `/api/v1/homes/${travelling.homeId}/away`, { until: Date.now() + 86_400_000, by: travelling.family })
    expect(away.status).toBe(202)
    await waitUntil(async () => (await alerts()).find((a) => a.id === awayAlert.id)?.state === 'resolved', 10_000, 'away mode applied by the owner')
    const { rows: awayRows } = await services.pool.query<{ away_until: string | null }>('SELECT away_until FROM home_alert_settings WHERE home_id = $1', [travelling.homeId])
    expect(Number(awayRows[0]?.away_until)).toBeGreaterThan(Date.now())

    // The grid rung (20 s after family) for every other home, then a quiet spell for any duplicate to show.
    await waitUntil(() => services.deliveries.filter((d) => d.kind === 'alert' && d.hook === grid).length >= HOMES - 2, 60_000, 'the grid worker told')
    await new Promise((resolve) => setTimeout(resolve, 5_000))

    const all = await alerts()
    if (all.length !== HOMES) {
      const { rows } = await services.pool.query(`SELECT a.home_id, a.id, a.state, a.rung, a.opened_at, a.since, e.at, e.actor, e.action, e.detail
        FROM alerts a JOIN alert_events e ON e.alert_id = a.id WHERE a.type = 'inactivity' AND a.home_id IN
        (SELECT home_id FROM alerts WHERE type = 'inactivity' GROUP BY home_id HAVING count(*) > 1) ORDER BY a.home_id, e.id`)
      console.log(JSON.stringify(rows, null, 1))
    }
    // One inactivity alert per home, no more: none lost in the takeover, none opened twice.
    expect(all).toHaveLength(HOMES)
    expect(new Set(all.map((a) => a.homeId)).size).toBe(HOMES)
    // Each family contact: its home's alert once. The grid worker: each alert but the acknowledged and the away one, once.
    for (const h of homes) {
      const alert = all.find((a) => a.homeId === h.homeId)!
      expect(services.deliveries.filter((d) => d.hook === h.family && d.kind === 'alert').map((d) => d.alertId)).toEqual([alert.id])
    }
    const gridAlerts = services.deliveries.filter((d) => d.hook === grid && d.kind === 'alert').map((d) => d.alertId)
    expect(new Set(gridAlerts).size).toBe(gridAlerts.length)
    expect(gridAlerts.sort()).toEqual(all.filter((a) => a.id !== acked.id && a.id !== awayAlert.id).map((a) => a.id).sort())
    // The away home's family hears the all-clear once.
    expect(services.deliveries.filter((d) => d.hook === travelling.family && d.kind === 'all_clear')).toHaveLength(1)
    // The family of the acknowledged alert hears that someone is on it, once.
    expect(services.deliveries.filter((d) => d.hook === first.family && d.kind === 'acknowledged')).toHaveLength(1)
    // No outbox row was delivered twice (a webhook receiver dedupes on `id`; here none needed to).
    const ids = services.deliveries.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    console.log(`cluster: takeover after SIGKILL in ${takeoverMs} ms (lease ${TUNING.leaseMs} ms); ${services.deliveries.length} webhook deliveries, none twice`)
  })
})
