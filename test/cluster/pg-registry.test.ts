// Cluster mode's registry on a real PostgreSQL: what the admin provisions on the embedded gateway's SQLite
// reaches every worker's local copy unchanged (device auth on a worker sees the same secret hashes),
// deletions reach them too, and a push wakes the workers' watchers, also after their connection dropped.
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { loadRegistry, pushRegistry, REGISTRY_TABLES, watchRegistry } from '../../gateway/cluster/pg/registry-sync.ts'
import type { Db } from '../../gateway/db/open-database.ts'
import { ContactChannels } from '../../gateway/notify/contact-channels.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { dumpTables, tempDatabase } from './replica-fixtures.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

const T0 = Date.UTC(2024, 4, 1, 2, 0)
const clock = { now: () => T0 }
const KEYS: Record<string, string> = { contact_channels: 'contact_id, channel' }

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const close of cleanup.splice(0).reverse()) await close() })

const sqlite = (): Db => tempDatabase(cleanup, 'pg-registry')

const dump = (db: Db): Record<string, unknown[]> => dumpTables(db, REGISTRY_TABLES, KEYS)

/** A provisioned village the way the CLI and console leave it: places, people, devices with health, channels. */
function provision (db: Db): { hubId: string, sensorId: string } {
  const places = new PlacesStore(db, clock)
  places.createVillage({ id: 'v-1', name: '山下庄村' })
  places.createVillage({ id: 'v-2', name: '河东村' })
  places.createGrid({ id: 'g-1', villageId: 'v-1', name: '第一网格' })
  places.createGrid({ id: 'g-2', villageId: 'v-2', name: '第二网格' })
  places.createHome({ id: 'h-1', gridId: 'g-1', label: '山下庄 12号' })
  places.createHome({ id: 'h-2', gridId: 'g-2', label: '河东 3号' })
  places.createResident({ id: 'r-1', homeId: 'h-1', name: '王奶奶', birthYear: 1938 })
  places.createResident({ id: 'r-2', homeId: 'h-2', name: '李爷爷' })
  places.createContact({ id: 'fam-1', homeId: 'h-1', name: '王小明', phone: '13800000001', role: 'family' })
  places.createContact({ id: 'gw-1', gridId: 'g-1', name: '张网格', phone: '13800000002', role: 'grid_worker' })
  const devices = new DeviceStore(db, clock)
  const sensor = devices.register('sensor', { homeId: 'h-1', room: 'bedroom' })
  const hub = devices.register('hub', { homeId: 'h-2' })
  devices.ensureHubSensor(hub.id, 'kitchen_motion', 10)
  devices.saveHealth([{ id: sensor.id, online: true, lastSeen: T0 - 5000, battery: 87.5, rssi: -61, linkquality: 0.25, fw: '1.2.3', dropped: { rate: 2 } }])
  devices.setConfig(sensor.id, { heartbeatSeconds: 60 })
  const channels = new ContactChannels(db, clock)
  channels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: 'http://127.0.0.1:9/hook' } }, { channel: 'sms', enabled: false, config: {} }])
  return { hubId: hub.id, sensorId: sensor.id }
}

describeWithPostgres('registry in PostgreSQL', () => {
  let server: Postgres
  let pool: pg.Pool

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 4 })
    await migratePostgres(pool)
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  it('migrates once however many workers start at the same moment', async () => {
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    await admin.query('CREATE DATABASE fresh')
    await admin.end()
    const url = server.url.replace(/\/anju$/, '/fresh')
    const pools = [1, 2, 3, 4].map(() => new pg.Pool({ connectionString: url, max: 1 }))
    try {
      const results = await Promise.all(pools.map(async (p) => await migratePostgres(p)))
      // Exactly one worker applied the migrations; the others found the schema current.
      expect(results.filter((r) => r.from === 0)).toHaveLength(1)
      const { rows } = await (pools[0] as pg.Pool).query('SELECT version FROM schema_version ORDER BY version')
      // 1: registry, alerts, outbox, epochs; 2: village content and screens.
      expect(rows.map((r) => r.version)).toEqual([1, 2])
      expect(await migratePostgres(pools[0] as pg.Pool)).toEqual({ from: 2, to: 2 })
    } finally {
      await Promise.all(pools.map(async (p) => await p.end()))
    }
  })

  it('copies the registry SQLite → PostgreSQL → a worker\'s SQLite with every row identical', async () => {
    const source = sqlite()
    const { sensorId } = provision(source)
    const counts = await pushRegistry(pool, source)
    expect(counts).toEqual({ villages: 2, grids: 2, homes: 2, residents: 2, contacts: 2, devices: 3, contact_channels: 2 })

    const worker = sqlite()
    expect(await loadRegistry(pool, worker)).toEqual(counts)
    expect(dump(worker)).toEqual(dump(source))
    // What a worker does with it: authenticate a device against the same secret hash, see the same health.
    const there = new DeviceStore(worker, clock)
    expect(there.authLookup(sensorId)).toEqual(new DeviceStore(source, clock).authLookup(sensorId))
    expect(there.get(sensorId)).toMatchObject({ battery: 87.5, online: true, lastSeen: T0 - 5000, dropped: { rate: 2 } })
    expect(new ContactChannels(worker, clock).resolve('fam-1', 'webhook')).toEqual({ url: 'http://127.0.0.1:9/hook' })
  })

  it('propagates deletions and changes, and leaves PostgreSQL untouched when nothing changed', async () => {
    const source = sqlite()
    const { sensorId } = provision(source)
    await pushRegistry(pool, source)
    const worker = sqlite()
    await loadRegistry(pool, worker)

    const places = new PlacesStore(source, clock)
    places.deleteContact('fam-1') // its channels go with it (ON DELETE CASCADE)
    places.deleteResident('r-2')
    places.relabelHome('h-2', '河东 5号')
    new DeviceStore(source, clock).revoke(sensorId)
    await pushRegistry(pool, source)
    await loadRegistry(pool, worker)

    expect(dump(worker)).toEqual(dump(source))
    expect(worker.prepare('SELECT id FROM contacts').all()).toEqual([{ id: 'gw-1' }])
    expect(worker.prepare('SELECT COUNT(*) AS n FROM contact_channels').get()).toEqual({ n: 0 })
    expect(worker.prepare('SELECT label FROM homes WHERE id = ?').get('h-2')).toEqual({ label: '河东 5号' })
    expect(new DeviceStore(worker, clock).authLookup(sensorId)?.revokedAt).toBe(T0)

    // A push of the same registry rewrites no row (no churn every time an admin saves).
    const xmin = async (): Promise<unknown[]> => (await pool.query('SELECT id, xmin::text FROM homes ORDER BY id')).rows
    const rowVersions = await xmin()
    await pushRegistry(pool, source)
    expect(await xmin()).toEqual(rowVersions)
  })

  it('tells a watching worker about a push, once per burst, and again after its connection was cut', async () => {
    const source = sqlite()
    provision(source)
    let changes = 0
    const stop = await watchRegistry(server.url, () => { changes++ }, { debounceMs: 200 })
    cleanup.push(stop)

    await Promise.all([pushRegistry(pool, source), pushRegistry(pool, source), pushRegistry(pool, source)])
    await waitFor(() => changes === 1, 3000, 'the first reload')
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(changes).toBe(1)

    // The database restarts a session (failover, idle timeout): the watcher reconnects by itself, and
    // reloads once on reconnecting, since a push may have happened while nobody listened.
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = 'anju' AND query LIKE 'LISTEN anju_registry%'`)
    await waitFor(() => changes === 2, 5000, 'the reload after reconnecting')
    // A push that changes nothing wakes nobody; one that does, does.
    await pushRegistry(pool, source)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(changes).toBe(2)
    new PlacesStore(source, clock).updateContact('fam-1', { phone: '13800000009' })
    await pushRegistry(pool, source)
    await waitFor(() => changes === 3, 3000, 'a push after reconnecting')
  })
})

async function waitFor (check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
