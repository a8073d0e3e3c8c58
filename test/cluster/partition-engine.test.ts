// One partition's alert engine in cluster mode, without the cluster around it: the batches it ships are
// folded here into the state PostgreSQL would hold (test/cluster/pg-alert-log.test.ts covers the real
// PostgreSQL), so a second engine can take the partition over exactly as a new owner would.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../src/alerts.ts'
import { FixedThresholds } from '../../src/escalation/fixed-thresholds.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { FencedError, type AlertBatch, type PartitionState } from '../../gateway/cluster/contracts.ts'
import { PartitionEngine } from '../../gateway/cluster/partition-engine.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { openMemoryDatabase, type Db } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { createTelemetryStore } from '../../gateway/telemetry/create-telemetry-store.ts'
import { FakeTime } from '../helpers/fake-time.ts'

const MIN = 60_000
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time
const LADDER = { tvTimeoutMs: 5 * MIN, familyTimeoutMs: 10 * MIN, gridTimeoutMs: 10 * MIN }
const log = createLogger('silent')

/** What PostgreSQL would hold after committing these batches. */
function fold (batches: AlertBatch[]): PartitionState & { outbox: string[] } {
  const alerts = new Map<string, Alert>()
  const events: AlertEvent[] = []
  const outbox: string[] = []
  for (const b of batches) {
    for (const a of b.alerts) alerts.set(a.id, a)
    events.push(...b.events)
    outbox.push(...b.notifications.map((n) => `${n.notification.recipient}:${n.notification.kind}`))
  }
  const open = [...alerts.values()].filter((a) => a.state !== 'resolved')
  return { alerts: open, events: events.filter((e) => open.some((a) => a.id === e.alertId)), settings: [], outbox }
}

interface Setup { db: Db, places: PlacesStore, devices: DeviceStore, telemetry: TelemetryStore, homeId: string, deviceId: string, family: string, grid: string, dir: string }

async function setup (time: FakeTime): Promise<Setup> {
  const db = openMemoryDatabase()
  const places = new PlacesStore(db, time)
  const devices = new DeviceStore(db, time)
  const village = places.createVillage({ name: '山下村' })
  const grid = places.createGrid({ villageId: village.id, name: '一组' })
  const home = places.createHome({ gridId: grid.id, label: '12号' })
  const family = places.createContact({ homeId: home.id, name: '女儿', phone: '13800000001', role: 'family', priority: 0 })
  const worker = places.createContact({ gridId: grid.id, name: '网格员', phone: '13800000002', role: 'grid_worker', priority: 0 })
  const device = devices.register('sensor', { homeId: home.id })
  const dir = mkdtempSync(join(tmpdir(), 'anju-partition-'))
  const telemetry = createTelemetryStore(parseConfig({ dataDir: dir, logLevel: 'silent' }), { clock: time, log })
  await telemetry.start()
  cleanup.push(async () => { await telemetry.close(); rmSync(dir, { recursive: true, force: true }) })
  return { db, places, devices, telemetry, homeId: home.id, deviceId: device.id, family: family.id, grid: worker.id, dir }
}

let cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const c of cleanup.reverse()) await c(); cleanup = [] })

function engine (s: Setup, time: FakeTime, commit: (b: AlertBatch) => Promise<void>, onFenced: (err: FencedError) => void = () => {}): PartitionEngine {
  const e = new PartitionEngine({
    partition: 3, owns: (homeId) => homeId === s.homeId, commit, onFenced, places: s.places, devices: s.devices,
    telemetry: s.telemetry, thresholds: new FixedThresholds({ dayMs: 30 * MIN, nightMs: 30 * MIN }), timers: time, log, ladder: LADDER
  })
  cleanup.push(() => e.stop())
  return e
}

/** A registry, a fresh engine that records what it commits, started with no state. */
async function started (): Promise<{ time: FakeTime, s: Setup, committed: AlertBatch[], e: PartitionEngine }> {
  const time = new FakeTime(T0)
  const s = await setup(time)
  const committed: AlertBatch[] = []
  const e = engine(s, time, async (b) => { committed.push(b) })
  await e.start({ alerts: [], events: [], settings: [] })
  return { time, s, committed, e }
}

describe('a partition engine', () => {
  it('ships every transition with its notifications, and a new owner resumes the ladder from the committed state', async () => {
    const { time, s, committed, e: first } = await started()
    // Two edges: a lone one does not count as activity (gateway/alerts/lone-events.ts).
    first.handle({ type: 'activity', event: { homeId: s.homeId, deviceId: s.deviceId, at: T0, timeSource: 'gateway' } })
    first.handle({ type: 'activity', event: { homeId: s.homeId, deviceId: s.deviceId, at: T0 + 1000, timeSource: 'gateway' } })
    time.advance(30 * MIN + 1000) // the threshold: the TV asks
    time.advance(5 * MIN) // nobody answered: family
    await first.idle()
    expect(fold(committed).outbox).toEqual([`tv:${s.homeId}:checkin`, `${s.family}:alert`])

    // The owner dies here (no release, nothing more committed); another worker takes over from PostgreSQL.
    first.stop()
    const state = fold(committed)
    expect(state.alerts).toHaveLength(1)
    expect(state.alerts[0]).toMatchObject({ type: 'inactivity', state: 'open', rung: 1 })
    const after: AlertBatch[] = []
    const second = engine(s, time, async (b) => { after.push(b) })
    await second.start(state)
    time.advance(10 * MIN - 1000)
    await second.idle()
    expect(fold(after).outbox).toEqual([]) // not yet: the grid rung is due 10 min after family
    time.advance(2000)
    await second.idle()
    // Exactly the grid worker, once: family is not told again.
    expect(fold(after).outbox).toEqual([`${s.grid}:alert`])
    expect(fold([...committed, ...after]).alerts[0]).toMatchObject({ rung: 2 })
  })

  it('stops committing and reports once another worker fenced the partition', async () => {
    const time = new FakeTime(T0)
    const s = await setup(time)
    const fenced: FencedError[] = []
    let attempts = 0
    const e = engine(s, time, async () => { attempts++; throw new FencedError(3, 7) }, (err) => fenced.push(err))
    await e.start({ alerts: [], events: [], settings: [] })
    e.handle({ type: 'device-state', event: { deviceId: s.deviceId, homeId: s.homeId, kind: 'sensor', at: T0, battery: 5 } })
    await e.idle()
    e.handle({ type: 'device-state', event: { deviceId: s.deviceId, homeId: s.homeId, kind: 'sensor', at: T0 + 1, battery: 80 } })
    await e.idle()
    expect(fenced.map((f) => f.epoch)).toEqual([7])
    expect(attempts).toBe(1)
  })

  it('applies away mode routed to it: the settings are shipped with their audit, and no alert comes while away', async () => {
    const { time, s, committed, e } = await started()
    e.handle({ type: 'activity', event: { homeId: s.homeId, deviceId: s.deviceId, at: T0, timeSource: 'gateway' } })
    e.handle({ type: 'activity', event: { homeId: s.homeId, deviceId: s.deviceId, at: T0 + 1000, timeSource: 'gateway' } })
    e.handle({ type: 'command', command: { kind: 'away', homeId: s.homeId, until: T0 + 24 * 60 * MIN, by: s.family } })
    time.advance(3 * 60 * MIN)
    await e.idle()
    expect(committed.flatMap((b) => b.settings)).toMatchObject([{ settings: { homeId: s.homeId, awayUntil: T0 + 24 * 60 * MIN, updatedBy: s.family }, change: { awayUntil: T0 + 24 * 60 * MIN } }])
    expect(fold(committed).outbox).toEqual([])
  })

  it('applies people\'s commands routed to it, and ignores one for an alert it does not hold', async () => {
    const { s, committed, e } = await started()
    e.handle({ type: 'device-state', event: { deviceId: s.deviceId, homeId: s.homeId, kind: 'sensor', at: T0, battery: 5 } })
    await e.idle()
    const [alert] = fold(committed).alerts
    expect(alert).toMatchObject({ type: 'low_battery', state: 'open' })
    e.handle({ type: 'command', command: { kind: 'ack', alertId: 'alrt_nope', by: 'con_x' } })
    e.handle({ type: 'command', command: { kind: 'resolve', alertId: alert?.id ?? '', by: 'con_grid', outcome: 'device_fixed', note: '换了电池' } })
    await e.idle()
    expect(fold(committed).alerts).toEqual([])
    const resolved = committed.flatMap((b) => b.alerts).filter((a) => a.state === 'resolved')
    expect(resolved).toMatchObject([{ resolvedBy: 'con_grid', outcome: 'device_fixed', note: '换了电池' }])
  })
})
