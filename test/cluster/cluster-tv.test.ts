// The TV app in cluster mode, end to end on real PostgreSQL, Redis, Mosquitto and InfluxDB: a household's
// screen, paired on the admin node, is connected to the worker that does NOT own its home. The resident
// stops moving; the owner's engine opens the alert and commits the TV check-in to the outbox; the screen's
// worker shows it ("您还好吗?"); the resident answers on that worker; the answer is routed to the owner,
// which resolves the alert: nobody in the family is called, and the screen is told the question is over.
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { partitionOf } from '../../gateway/cluster/partitions.ts'
import { AckLinks } from '../../gateway/alerts/ack-links.ts'
import { ContentService } from '../../gateway/content/content-service.ts'
import { ScreenStore } from '../../gateway/tv/screen-store.ts'
import { systemClock } from '../../src/clock.ts'
import type { TvState } from '../../src/tv/tv-api.ts'
import { openEvents, tv, type TvStream } from '../gateway/tv/tv-client.ts'
import { influxdAvailable } from '../helpers/influxd.ts'
import { mosquittoAvailable } from '../helpers/mosquitto.ts'
import { postgresAvailable } from '../helpers/postgres.ts'
import { redisAvailable } from '../helpers/redis.ts'
import { describeWithService } from '../helpers/system-service.ts'
import { ACK_LINK_KEY, provision, startServices, startWorkerProcess, waitUntil, type ClusterTuning, type Home, type Services, type WorkerProcess } from './cluster-harness.ts'

const TUNING: ClusterTuning = {
  partitions: 8,
  leaseMs: 3_000,
  renewMs: 500,
  thresholdMs: 15_000,
  // Long enough for the test to answer before family would be called.
  ladder: { tvTimeoutMs: 60_000, familyTimeoutMs: 60_000, gridTimeoutMs: 60_000 }
}
const NOTICE_TITLE = '冬季防火安全提示'

const requirement = {
  service: 'redis-server, postgresql, mosquitto and influxd',
  available: () => redisAvailable() && postgresAvailable() && mosquittoAvailable() && influxdAvailable(),
  installHint: 'apt-get install redis-server postgresql mosquitto influxdb'
}

describeWithService(requirement, 'the TV app on cluster workers', () => {
  let services: Services
  let homes: Home[]
  let token = ''
  let workers: WorkerProcess[] = []
  let sensor: MqttClient | undefined
  let stream: TvStream | undefined

  beforeAll(async () => {
    services = await startServices()
    ;({ homes } = await provision(services, 4, ({ db, village, homes }) => {
      // The clerk pairs the first home's screen and publishes a notice, in the admin node's database.
      const screens = new ScreenStore(db, systemClock)
      const { code, pairingId } = screens.pairings.start('127.0.0.1')
      screens.pair({ code, homeId: homes[0]?.homeId, by: 'clerk-1' })
      token = screens.pairings.status(pairingId).token ?? ''
      new ContentService(db, systemClock).notices.create({ villageId: village, category: 'safety', title: NOTICE_TITLE, body: '请检查电热毯和炉子。', images: [], priority: 'normal', by: 'clerk-1' })
    }))
    workers = await Promise.all(['tv1', 'tv2'].map(async (id) => await startWorkerProcess(services, id, TUNING)))
  }, 180_000)

  afterAll(async () => {
    stream?.close()
    await sensor?.endAsync(true)
    await Promise.all(workers.map(async (w) => await w.stop()))
    await services?.stop()
  }, 60_000)

  it('asks on the screen through any worker, and the resident\'s answer closes the alert with nobody called', async () => {
    const home = homes[0] as Home
    expect(token).not.toBe('')
    // The worker that owns the home, and the other one, which the screen is connected to.
    let owner: WorkerProcess | undefined
    await waitUntil(async () => {
      const { body } = await (workers[0] as WorkerProcess).api<{ owners: Record<string, string> }>('GET', '/api/v1/cluster/partitions')
      const id = body.owners[String(partitionOf(home.homeId, TUNING.partitions))]
      owner = workers.find((w) => w.workerId === id)
      return owner !== undefined && Object.keys(body.owners).length === TUNING.partitions
    }, 30_000, 'every partition owned')
    const screenWorker = workers.find((w) => w !== owner) as WorkerProcess
    const server = { urls: { http: screenWorker.url } }

    // Content and the screen came from the admin node through PostgreSQL.
    const state = await tv<TvState>(server, 'GET', '/state', token)
    expect(state.status).toBe(200)
    expect(state.body.household?.homeId).toBe(home.homeId)
    expect(state.body.notices.map((n) => n.title)).toContain(NOTICE_TITLE)
    expect(state.body.household?.checkIn).toBeNull()
    expect((await tv(server, 'GET', '/state', 'not-a-screen-token')).status).toBe(401)

    stream = await openEvents(server, token)
    expect(stream.status).toBe(200)

    // The resident moves about, then stays still.
    sensor = await mqtt.connectAsync(services.mosquitto.url, { clientId: home.deviceId, username: home.deviceId, password: home.secret, protocolVersion: 4, reconnectPeriod: 0 })
    for (const motion of [false, true, false, true]) await sensor.publishAsync(`anju/v1/dev/${home.deviceId}/motion`, JSON.stringify({ motion }), { qos: 1 })

    await waitUntil(() => stream?.events.some((e) => e.event === 'checkin') === true, 60_000, 'the check-in on the screen')
    const asked = stream.events.find((e) => e.event === 'checkin')?.data as { alertId: string, expiresAt: number }
    expect(asked.alertId).toMatch(/\S/)
    // The screen's worker reads the open question from PostgreSQL too (a screen that reloads sees it).
    const during = await tv<TvState>(server, 'GET', '/state', token)
    expect(during.body.household?.checkIn?.alertId).toBe(asked.alertId)
    expect(during.body.household?.care.status).toBe('alert')

    const answer = await tv<{ resolved: number }>(server, 'POST', '/checkin', token)
    expect(answer).toMatchObject({ status: 200, body: { resolved: 1 } })

    await waitUntil(async () => {
      const { rows } = await services.pool.query<{ state: string }>('SELECT state FROM alerts WHERE id = $1', [asked.alertId])
      return rows[0]?.state === 'resolved'
    }, 20_000, 'the owner resolving the alert')
    const { rows } = await services.pool.query<{ resolved_by: string, outcome: string }>('SELECT resolved_by, outcome FROM alerts WHERE id = $1', [asked.alertId])
    expect(rows[0]).toEqual({ resolved_by: `tv:${home.homeId}`, outcome: 'resident_ok' })
    await waitUntil(() => stream?.events.some((e) => e.event === 'checkin_end' && (e.data as { alertId?: string }).alertId === asked.alertId) === true, 20_000, 'the question ending on the screen')

    // Nobody was called: the family's webhook got nothing about this home; the TV's message was delivered once.
    expect(services.deliveries.filter((d) => d.hook === home.family)).toEqual([])
    const sse = await services.pool.query<{ delivered: boolean }>("SELECT delivered_at IS NOT NULL AS delivered FROM outbox WHERE alert_id = $1 AND channel = 'sse' AND kind = 'checkin'", [asked.alertId])
    expect(sse.rows).toEqual([{ delivered: true }])
    expect(stream.events.filter((e) => e.event === 'checkin' && (e.data as { alertId?: string }).alertId === asked.alertId)).toHaveLength(1)
  }, 150_000)

  it('an acknowledge link opened on a worker that does not own the home stops the climb there', async () => {
    const home = homes[1] as Home
    const { body } = await (workers[0] as WorkerProcess).api<{ owners: Record<string, string> }>('GET', '/api/v1/cluster/partitions')
    const other = workers.find((w) => w.workerId !== body.owners[String(partitionOf(home.homeId, TUNING.partitions))]) as WorkerProcess

    // This home has not moved since the workers started: its inactivity alert opens after the threshold.
    let alertId = ''
    await waitUntil(async () => {
      const { rows } = await services.pool.query<{ id: string }>("SELECT id FROM alerts WHERE home_id = $1 AND type = 'inactivity' AND state = 'open'", [home.homeId])
      alertId = rows[0]?.id ?? ''
      return alertId !== ''
    }, 60_000, 'the alert opening')

    // The link as the family's message carries it (every worker signs with the same key).
    const token = new AckLinks(Buffer.from(ACK_LINK_KEY, 'utf8'), 3_600_000, systemClock).token(alertId, home.family)
    const page = await fetch(`${other.url}/a/${token}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('长时间无活动')
    const acked = await fetch(`${other.url}/a/${token}/ack`, { method: 'POST' })
    expect(acked.status).toBe(200)
    // Applied by the owner and committed before the page answered: the phone shows it taken.
    expect(await acked.text()).toContain('谢谢，已确认')
    const { rows } = await services.pool.query<{ state: string, acknowledged_by: string }>('SELECT state, acknowledged_by FROM alerts WHERE id = $1', [alertId])
    expect(rows[0]).toEqual({ state: 'acknowledged', acknowledged_by: `contact:${home.family}` })
    // A forged link is refused.
    expect((await fetch(`${other.url}/a/${token.slice(0, -2)}xx`)).status).toBe(403)
  }, 120_000)
})
