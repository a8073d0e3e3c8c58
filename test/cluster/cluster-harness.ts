// A whole cluster on loopback for test/cluster/cluster.test.ts: real PostgreSQL, Redis, Mosquitto with
// dynamic security and InfluxDB (each from its Debian package, on free ports), a registry provisioned the
// way an operator does it (an embedded gateway's database, `anju cluster push-registry`'s pushRegistry,
// each device's secret into Mosquitto), a webhook receiver standing in for family and grid workers, and
// gateway workers as child processes.
import type { ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { DynsecProvisioner } from '../../gateway/cluster/mosquitto-dynsec.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { pushContent } from '../../gateway/cluster/pg/content-sync.ts'
import { pushRegistry } from '../../gateway/cluster/pg/registry-sync.ts'
import { openDatabase, type Db } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import { ContactChannels } from '../../gateway/notify/contact-channels.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { systemClock } from '../../src/clock.ts'
import { startInfluxd, type Influxd } from '../helpers/influxd.ts'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts'
import { startPostgres, type Postgres } from '../helpers/postgres.ts'
import { startReadyProcess } from '../helpers/ready-process.ts'
import { startRedis, type RedisServer } from '../helpers/redis.ts'

export const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789'
const WORKER_LOGIN = { username: 'anju-worker', password: 'worker-password-0123456789' }
const DYNSEC_ADMIN = { adminUser: 'anju-admin', adminPassword: 'dynsec-admin-password-0123' }

export interface Delivery { hook: string, id: string, kind: string, alertId: string | null, at: number }

/** Every worker's acknowledge-link key (ANJU_NOTIFY_ACK_LINK_KEY): tests mint links as the workers do. */
export const ACK_LINK_KEY = 'a'.repeat(64)

export interface Home { homeId: string, family: string, deviceId: string, secret: string }

/** Work done on the admin node's database after the registry is provisioned (screens, content). */
export type AdminWork = (admin: { db: Db, village: string, homes: Home[] }) => Promise<void> | void

export interface Services {
  postgres: Postgres
  redis: RedisServer
  mosquitto: Mosquitto
  influxd: Influxd
  pool: pg.Pool
  /** Every webhook POST received, in order (`hook` is the contact id in the URL). */
  deliveries: Delivery[]
  hookUrl: string
  stop(): Promise<void>
}

export async function startServices (): Promise<Services> {
  const [postgres, redis, mosquitto, influxd] = await Promise.all([
    startPostgres(), startRedis(), startMosquitto({ dynsec: DYNSEC_ADMIN }), startInfluxd()
  ])
  const pool = new pg.Pool({ connectionString: postgres.url, max: 4 })
  await migratePostgres(pool)
  const deliveries: Delivery[] = []
  const receiver: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      const msg = JSON.parse(body) as { id: string, kind: string, alertId: string | null }
      deliveries.push({ hook: (req.url ?? '').split('/').pop() ?? '', id: msg.id, kind: msg.kind, alertId: msg.alertId, at: Date.now() })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  return {
    postgres, redis, mosquitto, influxd, pool, deliveries, hookUrl,
    async stop () {
      await new Promise<void>((resolve) => receiver.close(() => resolve()))
      await pool.end()
      await Promise.all([postgres.stop(), redis.stop(), mosquitto.stop(), influxd.stop()])
    }
  }
}

/**
 * One village, one grid with its grid worker, `n` homes each with a family contact and one sensor; every
 * contact on a webhook to the receiver. Pushed to PostgreSQL; each sensor and the workers' login put into
 * Mosquitto's dynamic security.
 */
export async function provision (services: Services, n: number, admin?: AdminWork): Promise<{ homes: Home[], grid: string, village: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'anju-cluster-registry-'))
  const db = openDatabase(dir)
  const places = new PlacesStore(db, systemClock)
  const devices = new DeviceStore(db, systemClock)
  const channels = new ContactChannels(db, systemClock)
  const village = places.createVillage({ name: '山下村' })
  const gridRow = places.createGrid({ villageId: village.id, name: '一组' })
  const grid = places.createContact({ gridId: gridRow.id, name: '网格员', phone: '13800000000', role: 'grid_worker', priority: 0 })
  channels.replace(grid.id, [{ channel: 'webhook', enabled: true, config: { url: `${services.hookUrl}/${grid.id}` } }])
  const homes: Home[] = []
  for (let i = 0; i < n; i++) {
    const home = places.createHome({ gridId: gridRow.id, label: `${i + 1}号` })
    const family = places.createContact({ homeId: home.id, name: '家属', phone: `1390000${String(i).padStart(4, '0')}`, role: 'family', priority: 0 })
    channels.replace(family.id, [{ channel: 'webhook', enabled: true, config: { url: `${services.hookUrl}/${family.id}` } }])
    const sensor = devices.register('sensor', { homeId: home.id })
    homes.push({ homeId: home.id, family: family.id, deviceId: sensor.id, secret: sensor.secret })
  }
  await pushRegistry(services.pool, db)
  if (admin !== undefined) {
    // What a clerk does in the admin node's console (pair screens, publish), then its content push.
    await admin({ db, village: village.id, homes })
    await pushContent(services.pool, db)
  }
  db.close()
  rmSync(dir, { recursive: true, force: true })
  const provisioner = new DynsecProvisioner({ url: services.mosquitto.url, username: DYNSEC_ADMIN.adminUser, password: DYNSEC_ADMIN.adminPassword, log: createLogger('silent') })
  await provisioner.ensureWorkerRole(WORKER_LOGIN.username, WORKER_LOGIN.password)
  for (const h of homes) await provisioner.upsertDevice({ id: h.deviceId, kind: 'sensor', secret: h.secret })
  await provisioner.close()
  return { homes, grid: grid.id, village: village.id }
}

export interface WorkerProcess {
  workerId: string
  url: string
  child: ChildProcess
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number, body: T }>
  /** SIGKILL: no shutdown hook, no lease released. Resolves when the process is gone. */
  kill(): Promise<void>
  stop(): Promise<void>
}

export interface ClusterTuning {
  partitions: number
  leaseMs: number
  renewMs: number
  thresholdMs: number
  ladder: { tvTimeoutMs: number, familyTimeoutMs: number, gridTimeoutMs: number }
}

export async function startWorkerProcess (services: Services, workerId: string, tuning: ClusterTuning): Promise<WorkerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `anju-${workerId}-`))
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANJU_')))
  const env = {
    ...inherited,
    ANJU_LOG_LEVEL: process.env.CLUSTER_LOG_DIR === undefined ? 'warn' : 'debug',
    ANJU_DATA_DIR: dataDir,
    ANJU_ADMIN_TOKEN: ADMIN_TOKEN,
    ANJU_HTTP_HOST: '127.0.0.1',
    ANJU_HTTP_PORT: '0',
    ANJU_NOTIFY_WEBHOOK_SECRET: 'cluster-test-webhook-secret-0123456789',
    ANJU_NOTIFY_ACK_LINK_KEY: ACK_LINK_KEY,
    ANJU_TELEMETRY_BACKEND: 'influxdb',
    ANJU_TELEMETRY_INFLUX_URL: services.influxd.url,
    ANJU_CLUSTER_WORKER_ID: workerId,
    ANJU_CLUSTER_PARTITIONS: String(tuning.partitions),
    ANJU_CLUSTER_LEASE_MS: String(tuning.leaseMs),
    ANJU_CLUSTER_RENEW_MS: String(tuning.renewMs),
    ANJU_CLUSTER_REDIS_URL: services.redis.url,
    ANJU_CLUSTER_POSTGRES_URL: services.postgres.url,
    ANJU_CLUSTER_BROKER_URL: services.mosquitto.url,
    ANJU_CLUSTER_BROKER_USERNAME: WORKER_LOGIN.username,
    ANJU_CLUSTER_BROKER_PASSWORD: WORKER_LOGIN.password,
    TEST_THRESHOLD_MS: String(tuning.thresholdMs),
    TEST_LADDER: JSON.stringify(tuning.ladder)
  }
  // CLUSTER_LOG_DIR=<dir>: each worker's full log in <dir>/<workerId>.log, to read after a failure.
  const logDir = process.env.CLUSTER_LOG_DIR
  const { child, ready: url, signal } = await startReadyProcess({
    script: 'test/cluster/worker-process.ts',
    name: `worker ${workerId}`,
    env,
    tailChars: 3000,
    ready: (line) => line.startsWith('{"ready"') ? (JSON.parse(line) as { ready: string }).ready : undefined,
    onSpawn: logDir === undefined
      ? undefined
      : (child) => {
          const file = createWriteStream(join(logDir, `${workerId}.log`))
          child.stdout?.pipe(file)
          child.stderr?.pipe(file)
        }
  }).catch((err: unknown) => { rmSync(dataDir, { recursive: true, force: true }); throw err })
  const gone = async (sig: NodeJS.Signals): Promise<void> => {
    await signal(sig)
    rmSync(dataDir, { recursive: true, force: true })
  }
  return {
    workerId,
    url,
    child,
    async api<T> (method: string, path: string, body?: unknown) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      return { status: res.status, body: await res.json() as T }
    },
    kill: async () => { await gone('SIGKILL') },
    stop: async () => { await gone('SIGTERM') }
  }
}

export async function waitUntil (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
