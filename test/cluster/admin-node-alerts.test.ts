// The embedded gateway as the admin node of a cluster (ANJU_CLUSTER_POSTGRES_URL and _REDIS_URL set), on
// real PostgreSQL and Redis: it runs no ladder of its own (its devices report to the cluster's broker, so
// it would see every home as still and call every family beside the workers); its console shows the
// cluster's alerts from PostgreSQL, with who was told, and routes a grid worker's acknowledgement to the
// home's partition stream for the owner to apply.
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PgAlertLog } from '../../gateway/cluster/pg/alert-log.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { partitionOf } from '../../gateway/cluster/partitions.ts'
import { streamKey } from '../../gateway/cluster/partition-streams.ts'
import type { Alert, Notification } from '../../src/alerts.ts'
import { createUser, signIn } from '../helpers/console-session.ts'
import { FakeTime } from '../helpers/fake-time.ts'
import { postgresAvailable, startPostgres, type Postgres } from '../helpers/postgres.ts'
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../helpers/start-gateway.ts'
import { describeWithService } from '../helpers/system-service.ts'

const PARTITIONS = 4
const T0 = Date.UTC(2024, 4, 1, 1, 42)
const H = 3_600_000

const requirement = {
  service: 'postgresql and redis-server',
  available: () => postgresAvailable() && redisAvailable(),
  installHint: 'apt-get install postgresql redis-server'
}

describeWithService(requirement, 'the admin node of a cluster', () => {
  let postgres: Postgres
  let redisServer: RedisServer
  let pool: pg.Pool
  let redis: Redis
  let gw: TestGateway
  const time = new FakeTime(T0)
  const sent: Notification[] = []
  let home = { villageId: '', gridId: '', homeId: '' }

  beforeAll(async () => {
    ;[postgres, redisServer] = await Promise.all([startPostgres(), startRedis()])
    pool = new pg.Pool({ connectionString: postgres.url, max: 4 })
    await migratePostgres(pool)
    redis = new Redis(redisServer.url)
    // Registered first, so a ladder started with the gateway would watch this home from the start.
    const first = await startGateway({}, { timers: time })
    home = await seedHome(first)
    await addDevice(first, home.homeId)
    await first.stop({ keepDir: true })
    gw = await startGateway(
      { dataDir: first.dataDir, cluster: { postgresUrl: postgres.url, redisUrl: redisServer.url, partitions: PARTITIONS } },
      { timers: time, notificationSink: { enqueue: (n: Notification) => sent.push(n) } }
    )
  }, 60_000)
  afterAll(async () => {
    await gw?.stop()
    redis?.disconnect()
    await pool?.end()
    await Promise.all([postgres?.stop(), redisServer?.stop()])
  })

  it('runs no ladder of its own: a home silent for hours opens nothing here', async () => {
    time.advance(12 * H)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(sent).toEqual([])
    expect((await gw.api<Alert[]>('GET', '/api/v1/alerts')).body).toEqual([])
  })

  it('shows the cluster\'s alert in the console and routes an acknowledgement to the home\'s owner', async () => {
    // What a worker owning the home's partition committed: the alert, and the family told.
    const partition = partitionOf(home.homeId, PARTITIONS)
    const log = new PgAlertLog(pool, (h) => partitionOf(h, PARTITIONS))
    const epoch = await log.claimPartition(partition, 'worker-1', T0)
    const alert: Alert = {
      id: 'al-cluster-1', homeId: home.homeId, type: 'inactivity', state: 'open', rung: 1, since: T0, openedAt: T0 + 3 * H,
      nextRungAt: T0 + 4 * H, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, outcome: null, note: null
    }
    await log.commit(partition, epoch, {
      alerts: [alert],
      events: [{ alertId: alert.id, at: T0 + 3 * H, actor: 'system', action: 'opened', rung: 0, detail: null }],
      notifications: [{ notification: { alertId: alert.id, recipient: 'tv:' + home.homeId, channel: 'sse', kind: 'checkin', text: '您还好吗?', data: {} }, createdAt: T0 + 3 * H }],
      settings: []
    })

    const creds = await createUser(gw, { role: 'grid_worker', scope: { gridIds: [home.gridId] } })
    const worker = await signIn(gw, creds.username, creds.password)
    const list = await worker.get('/alerts')
    expect(list.status).toBe(200)
    expect(list.body.map((a: Alert) => a.id)).toEqual([alert.id])
    const timeline = await worker.get(`/alerts/${alert.id}`)
    expect(timeline.body.notifications).toMatchObject([{ recipient: `tv:${home.homeId}`, channel: 'sse', kind: 'checkin' }])

    const ack = await worker.post(`/alerts/${alert.id}/ack`)
    // No owner runs in this test: the answer is the alert as PostgreSQL has it, and the command waits in
    // the partition's stream for the owner (a running worker applies it within moments: cluster-tv.test.ts).
    expect(ack.status).toBe(200)
    const entries = await redis.xrange(streamKey(partition), '-', '+')
    expect(entries.map(([, fields]) => JSON.parse(fields[1] as string))).toEqual([
      { type: 'command', command: { kind: 'ack', alertId: alert.id, by: `user:${creds.id}` } }
    ])
  }, 30_000)
})
