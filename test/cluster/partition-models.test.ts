// Activity models on cluster workers: two workers over one registry and one telemetry store (the embedded
// one standing in for the shared InfluxDB), each taking over half of the partitions. Each learns only the
// homes of its own partitions, once each, before the takeover returns; a dropped partition's models are
// forgotten and the nightly refresh learns only what is owned then; a slow store does not hold a takeover
// past its budget.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ActivityPoint, TimeRange } from '../../src/telemetry.ts'
import { ModelRefresh } from '../../gateway/alerts/model-refresh.ts'
import { PartitionModels } from '../../gateway/cluster/partition-models.ts'
import { partitionOf } from '../../gateway/cluster/partitions.ts'
import { openMemoryDatabase } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { EmbeddedTelemetryStore } from '../../gateway/telemetry/embedded-store.ts'
import { FakeTime } from '../helpers/fake-time.ts'

const H = 3_600_000
const DAY = 24 * H
const MIDNIGHT = Date.UTC(2024, 3, 30, 16) // 2024-05-01 00:00 village time
const NOW = MIDNIGHT + 2 * H + 30 * 60_000 // the nightly refresh at 02:30
const PARTITIONS = 4
const HOMES = Array.from({ length: 8 }, (_, i) => `h-${i + 1}`)
const part = (homeId: string): number => partitionOf(homeId, PARTITIONS)
const log = createLogger('silent')

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const close of cleanup.splice(0).reverse()) await close() })

/** The registry replica (a sensor in each home) and 30 days of a daytime routine in every home. */
async function cluster (time: FakeTime): Promise<{ devices: DeviceStore, store: EmbeddedTelemetryStore }> {
  const db = openMemoryDatabase()
  const places = new PlacesStore(db, time)
  const devices = new DeviceStore(db, time)
  places.createVillage({ id: 'v-1', name: '山下庄村' })
  places.createGrid({ id: 'g-1', villageId: 'v-1', name: '第一网格' })
  for (const homeId of HOMES) {
    places.createHome({ id: homeId, gridId: 'g-1', label: homeId })
    devices.register('sensor', { homeId })
  }
  const dir = mkdtempSync(join(tmpdir(), 'anju-partition-models-'))
  const store = new EmbeddedTelemetryStore({ path: join(dir, 'telemetry.db'), clock: time, log })
  await store.start()
  cleanup.push(async () => { await store.close(); db.close(); rmSync(dir, { recursive: true, force: true }) })
  const points: ActivityPoint[] = []
  for (const homeId of HOMES) {
    for (let d = 30; d > 0; d--) {
      for (let m = 6 * 60; m <= 21 * 60; m += 20) points.push({ kind: 'activity', villageId: 'v-1', homeId, deviceId: `${homeId}-pir`, at: MIDNIGHT - d * DAY + m * 60_000, timeSource: 'device' })
    }
  }
  store.write(points)
  await store.flush()
  return { devices, store }
}

/** One worker's models, the telemetry queries it made, and the partitions it owns. */
function worker (devices: DeviceStore, store: Pick<EmbeddedTelemetryStore, 'activityEvents'>, time: FakeTime): {
  models: ModelRefresh, partitions: PartitionModels, owned: Set<number>, asked: string[]
} {
  const asked: string[] = []
  const telemetry = {
    activityEvents: async (homeId: string, range: TimeRange) => {
      asked.push(homeId)
      return await store.activityEvents(homeId, range)
    }
  }
  const models = new ModelRefresh({ devices, telemetry, clock: time, timers: time, log })
  cleanup.push(() => models.stop())
  const owned = new Set<number>()
  const partitions = new PartitionModels({ models, partitionOf: part, owns: (p) => owned.has(p), budgetMs: 5_000, log })
  return { models, partitions, owned, asked }
}

const learnedHomes = (models: ModelRefresh): string[] => HOMES.filter((h) => models.model(h) !== undefined)
const homesOf = (partitions: number[]): string[] => HOMES.filter((h) => partitions.includes(part(h)))

describe('activity models on cluster workers', () => {
  it('each worker learns only the homes of the partitions it owns, once each, before the takeover returns', async () => {
    const time = new FakeTime(NOW)
    const { devices, store } = await cluster(time)
    const a = worker(devices, store, time)
    const b = worker(devices, store, time)
    // Both workers have homes (h-1 … h-8 hash to all four partitions).
    expect(homesOf([0, 1]).length).toBeGreaterThan(0)
    expect(homesOf([2, 3]).length).toBeGreaterThan(0)

    for (const [w, owned] of [[a, [0, 1]], [b, [2, 3]]] as const) {
      for (const p of owned) {
        w.owned.add(p)
        const result = await w.partitions.takeOver(p)
        expect(result).toMatchObject({ homes: homesOf([p]).length, learned: homesOf([p]).length, failed: 0 })
        // Learned from history, not the cold start, by the time the engine would start.
        for (const h of homesOf([p])) expect(w.models.model(h)?.learnedWeight).toBeGreaterThan(0.5)
      }
    }
    expect(learnedHomes(a.models)).toEqual(homesOf([0, 1]))
    expect(learnedHomes(b.models)).toEqual(homesOf([2, 3]))
    // Eight homes, eight 42-day queries over the whole cluster (not eight per worker).
    expect([...a.asked].sort()).toEqual(homesOf([0, 1]))
    expect([...b.asked].sort()).toEqual(homesOf([2, 3]))
  })

  it('a dropped partition\'s models are forgotten; the nightly refresh learns only the partitions owned then', async () => {
    const time = new FakeTime(NOW)
    const { devices, store } = await cluster(time)
    const a = worker(devices, store, time)
    for (const p of [0, 1]) { a.owned.add(p); await a.partitions.takeOver(p) }

    a.owned.delete(1)
    expect(a.partitions.drop(1)).toBe(homesOf([1]).length)
    expect(learnedHomes(a.models)).toEqual(homesOf([0]))

    a.asked.length = 0
    time.advance(DAY)
    expect(await a.partitions.refresh()).toMatchObject({ homes: homesOf([0]).length, learned: homesOf([0]).length })
    expect([...a.asked].sort()).toEqual(homesOf([0]))
    expect(learnedHomes(a.models)).toEqual(homesOf([0]))
  })

  it('a slow store does not hold a takeover past its budget; the homes are learned in the background', async () => {
    const time = new FakeTime(NOW)
    const { devices, store } = await cluster(time)
    let answer = (): void => {}
    const answered = new Promise<void>((resolve) => { answer = resolve })
    const slow = {
      activityEvents: async (homeId: string, range: TimeRange) => { await answered; return await store.activityEvents(homeId, range) }
    }
    const a = worker(devices, slow, time)
    a.owned.add(0)
    const takeover = a.partitions.takeOver(0)
    time.advance(5_000)
    expect(await takeover).toBe('late')
    expect(learnedHomes(a.models)).toEqual([])
    answer()
    await a.models.stop() // waits for the queries in flight
    expect(learnedHomes(a.models)).toEqual(homesOf([0]))
  })
})
