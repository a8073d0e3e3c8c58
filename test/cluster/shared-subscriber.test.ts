// Two gateway workers behind a real Mosquitto (dynamic security on) share the devices' uplinks through
// `$share/anju/...`: every message reaches exactly one of them, each turns it into activity through its own
// real Ingest, a last will marks the device offline, and a sender the registry does not know is refused.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.ts'
import type { ActivityEvent, DeviceStateEvent } from '../../src/events.ts'
import { DynsecProvisioner } from '../../gateway/cluster/mosquitto-dynsec.ts'
import { SharedSubscriber } from '../../gateway/cluster/shared-subscriber.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { openDatabase, type Db } from '../../gateway/db/open-database.ts'
import { EventBus } from '../../gateway/events/event-bus.ts'
import { Ingest } from '../../gateway/ingest/ingest.ts'
import { createLogger } from '../../gateway/logger.ts'
import { createMetrics } from '../../gateway/metrics/metrics.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { connectDevice, waitFor } from '../helpers/mqtt-client.ts'
import { describeWithMosquitto, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts'

const ADMIN = { adminUser: 'anju-admin', adminPassword: randomBytes(12).toString('hex') }
const WORKER = { username: 'anju-worker', password: randomBytes(12).toString('hex') }
const DEVICES = 20
const MESSAGES = 10
const log = createLogger('silent')

interface Worker { db: Db, ingest: Ingest, subscriber: SharedSubscriber, activity: ActivityEvent[], states: DeviceStateEvent[] }

describeWithMosquitto('SharedSubscriber: workers sharing the uplinks of a Mosquitto', () => {
  let broker: Mosquitto
  let provisioner: DynsecProvisioner
  let dir: string
  let registry: Db
  let homeId: string
  const workers: Worker[] = []
  const logins: Array<{ id: string, secret: string }> = []
  const clients: MqttClient[] = []
  // A hold time of 1 s, so `motion: true` reports 2 s apart are each an activity whichever worker gets them.
  const config = parseConfig({ dataDir: '/unused', logLevel: 'silent', ingest: { motionHoldMs: 1000 } })

  beforeAll(async () => {
    broker = await startMosquitto({ dynsec: ADMIN })
    provisioner = new DynsecProvisioner({ url: broker.url, username: ADMIN.adminUser, password: ADMIN.adminPassword, log })
    await provisioner.ensureWorkerRole(WORKER.username, WORKER.password)

    // One registry file, opened by each worker as the cluster's workers share one registry database.
    dir = mkdtempSync(join(tmpdir(), 'anju-shared-sub-'))
    registry = openDatabase(dir)
    const places = new PlacesStore(registry, systemClock)
    const village = places.createVillage({ name: '山下庄村' })
    const grid = places.createGrid({ villageId: village.id, name: '第一网格' })
    homeId = places.createHome({ gridId: grid.id, label: '山下庄 12号' }).id
    const devices = new DeviceStore(registry, systemClock)
    for (let i = 0; i < DEVICES + 1; i++) {
      const creds = devices.register('sensor', { homeId, id: `sensor-${String(i).padStart(2, '0')}` })
      await provisioner.upsertDevice({ id: creds.id, kind: 'sensor', secret: creds.secret })
      logins.push({ id: creds.id, secret: creds.secret })
    }

    for (const name of ['worker-a', 'worker-b']) {
      const db = openDatabase(dir)
      const bus = new EventBus(log)
      const store = new DeviceStore(db, systemClock)
      const ingest = new Ingest({ config: config.ingest, devices: store, bus, metrics: createMetrics(), clock: systemClock, log })
      ingest.start()
      const subscriber = new SharedSubscriber({ url: broker.url, ...WORKER, shareGroup: 'anju', clientId: name, persistentSession: true, devices: store, ingest, clock: systemClock, log })
      await subscriber.start()
      const worker: Worker = { db, ingest, subscriber, activity: [], states: [] }
      bus.on('activity', (e) => worker.activity.push(e))
      bus.on('device-state', (e) => worker.states.push(e))
      workers.push(worker)
    }
  })

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => { await c.endAsync(true) }))
    for (const w of workers) {
      await w.subscriber.stop()
      w.ingest.stop()
      w.db.close()
    }
    registry?.close()
    await provisioner?.close()
    await broker?.stop()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  const allActivity = (): ActivityEvent[] => workers.flatMap((w) => w.activity)

  it(`${DEVICES} devices × ${MESSAGES} QoS 1 motion reports: each reaches exactly one worker, both work`, async () => {
    const base = Date.now() - 60_000
    const senders = logins.slice(0, DEVICES)
    await Promise.all(senders.map(async (login) => {
      const client = await connectDevice(broker.url, login)
      clients.push(client)
      for (let k = 0; k < MESSAGES; k++) {
        await client.publishAsync(`anju/v1/dev/${login.id}/motion`, JSON.stringify({ motion: true, ts: base + k * 2000 }), { qos: 1 })
      }
    }))
    const total = DEVICES * MESSAGES
    await waitFor(() => allActivity().length >= total, 15_000, `${total} activity events`)
    await new Promise((resolve) => setTimeout(resolve, 300)) // a duplicate would arrive now

    const events = allActivity()
    expect(events).toHaveLength(total)
    expect(new Set(events.map((e) => `${e.deviceId}@${e.at}`)).size).toBe(total)
    expect(events.every((e) => e.homeId === homeId && e.timeSource === 'device')).toBe(true)
    for (const login of senders) expect(events.filter((e) => e.deviceId === login.id)).toHaveLength(MESSAGES)
    const [a, b] = workers.map((w) => w.activity.length)
    expect(a).toBeGreaterThan(0)
    expect(b).toBeGreaterThan(0)
    expect(workers.reduce((n, w) => n + w.subscriber.counters.received, 0)).toBe(total)
    expect(workers.reduce((n, w) => n + w.subscriber.counters.refused, 0)).toBe(0)
    // Each device was marked connected (online) by the workers that heard it.
    for (const login of senders) expect(workers.some((w) => w.states.some((s) => s.deviceId === login.id && s.online === true))).toBe(true)
  })

  it('a worker that restarts with its client id loses nothing and doubles nothing (persistent session)', async () => {
    const before = allActivity().length
    const b = workers[1] as Worker
    const bBefore = b.activity.length
    await b.subscriber.stop()
    const base = Date.now() - 30_000 // after the first test's reports, 2 s apart again
    await Promise.all(clients.slice(0, DEVICES).map(async (client, i) => {
      const id = (logins[i] as { id: string }).id
      for (let k = 0; k < 5; k++) await client.publishAsync(`anju/v1/dev/${id}/motion`, JSON.stringify({ motion: true, ts: base + k * 2000 }), { qos: 1 })
    }))
    await b.subscriber.start()
    const total = before + DEVICES * 5
    await waitFor(() => allActivity().length >= total, 15_000, `${total} activity events`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(allActivity()).toHaveLength(total)
    expect(new Set(allActivity().map((e) => `${e.deviceId}@${e.at}`)).size).toBe(total)
    // Mosquitto keeps dealing a share to the absent worker's session and delivers it on return.
    expect(b.activity.length - bBefore).toBeGreaterThan(0)
  })

  it('a worker retired with its session ended gets no share any more: the other worker takes everything', async () => {
    const before = allActivity().length
    const b = workers[1] as Worker
    const bBefore = b.activity.length
    await b.subscriber.stop({ endSession: true })
    const base = Date.now() - 15_000
    await Promise.all(clients.slice(0, DEVICES).map(async (client, i) => {
      const id = (logins[i] as { id: string }).id
      for (let k = 0; k < 2; k++) await client.publishAsync(`anju/v1/dev/${id}/motion`, JSON.stringify({ motion: true, ts: base + k * 2000 }), { qos: 1 })
    }))
    const total = before + DEVICES * 2
    await waitFor(() => allActivity().length >= total, 10_000, `${total} activity events`)
    expect(b.activity.length).toBe(bBefore)
    await b.subscriber.start() // back for the next tests
  })

  it('the last will marks the device offline, once', async () => {
    const login = logins[DEVICES] as { id: string, secret: string }
    const will = { topic: `anju/v1/dev/${login.id}/status`, payload: Buffer.from('{"online":false}'), qos: 1 as const, retain: false }
    const client = await connectDevice(broker.url, login, { will, keepalive: 60 })
    await client.publishAsync(`anju/v1/dev/${login.id}/status`, '{"battery":90}', { qos: 1 })
    await waitFor(() => workers.some((w) => w.ingest.health.get(login.id)?.online === true), 5000, 'the device online')
    client.stream.destroy() // a power cut: no DISCONNECT, so Mosquitto publishes the will
    await waitFor(() => workers.some((w) => w.states.some((s) => s.deviceId === login.id && s.online === false)), 10_000, 'the will at a worker')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const offline = workers.flatMap((w) => w.states.filter((s) => s.deviceId === login.id && s.online === false))
    expect(offline).toEqual([expect.objectContaining({ deviceId: login.id, homeId, kind: 'sensor', online: false })])
    const holder = workers.find((w) => w.states.some((s) => s.deviceId === login.id && s.online === false)) as Worker
    expect(holder.ingest.health.get(login.id)?.online).toBe(false)
    client.end(true)
  })

  it('a message from a device the broker knows but the registry does not is refused and counted', async () => {
    // The broker was not told of a revocation (its update failed): the worker still refuses the sender.
    const ghost = { id: 'sensor-ghost', secret: randomBytes(32).toString('base64url') }
    await provisioner.upsertDevice({ id: ghost.id, kind: 'sensor', secret: ghost.secret })
    const refusedBefore = workers.reduce((n, w) => n + w.subscriber.counters.refused, 0)
    const activityBefore = allActivity().length
    const client = await connectDevice(broker.url, ghost)
    clients.push(client)
    await client.publishAsync('anju/v1/dev/sensor-ghost/motion', '{"motion":true}', { qos: 1 })
    await waitFor(() => workers.reduce((n, w) => n + w.subscriber.counters.refused, 0) > refusedBefore, 5000, 'the refusal')
    expect(allActivity()).toHaveLength(activityBefore)
    expect(workers.flatMap((w) => w.states).some((s) => s.deviceId === 'sensor-ghost')).toBe(false)
  })
})
