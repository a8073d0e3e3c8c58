// What only the embedded store promises beyond the shared contract: a file that survives a restart,
// batches committed without anyone calling flush(), retention by the injected clock, and a write()
// that shrugs off malformed input.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock, type Clock } from '../../../src/clock.ts'
import type { ActivityPoint, TelemetryPoint } from '../../../src/telemetry.ts'
import { createLogger } from '../../../gateway/logger.ts'
import { EmbeddedTelemetryStore, type EmbeddedStoreOptions } from '../../../gateway/telemetry/embedded-store.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 10, 2)
const act = (homeId: string, at: number): ActivityPoint =>
  ({ kind: 'activity', villageId: 'vil-a', homeId, deviceId: `${homeId}-pir`, at, timeSource: 'device' })

describe('EmbeddedTelemetryStore', () => {
  const dirs: string[] = []
  const stores: EmbeddedTelemetryStore[] = []
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  function file (): string {
    const dir = mkdtempSync(join(tmpdir(), 'anju-telemetry-'))
    dirs.push(dir)
    return join(dir, 'telemetry.db')
  }
  async function open (path: string, extra: Partial<EmbeddedStoreOptions> = {}): Promise<EmbeddedTelemetryStore> {
    const store = new EmbeddedTelemetryStore({ path, clock: systemClock, log: createLogger('silent'), ...extra })
    stores.push(store)
    await store.start()
    return store
  }

  it('keeps points across a restart of the gateway', async () => {
    const path = file()
    const first = await open(path)
    first.write([act('home-1', T0), act('home-1', T0 + HOUR)])
    await first.close()
    const second = await open(path)
    expect((await second.lastActivityByHome()).get('home-1')).toBe(T0 + HOUR)
    expect(await second.activityEvents('home-1', { from: T0, to: T0 + DAY })).toHaveLength(2)
  })

  it('commits queued points on its timer, without a flush()', async () => {
    const store = await open(file(), { flushIntervalMs: 20 })
    store.write([act('home-1', T0)])
    await vi.waitFor(async () => {
      expect(store.stats()).toMatchObject({ queued: 0, written: 1 })
      expect((await store.lastActivityByHome()).get('home-1')).toBe(T0)
    }, { timeout: 2000, interval: 10 })
  })

  it('commits a full batch soon, without waiting for the timer', async () => {
    const store = await open(file(), { batchSize: 100, flushIntervalMs: 60_000 })
    store.write(Array.from({ length: 150 }, (_, i) => act('home-1', T0 + i)))
    expect(store.stats().queued).toBe(150)
    await vi.waitFor(() => expect(store.stats()).toMatchObject({ queued: 0, written: 150 }), { timeout: 2000, interval: 10 })
  })

  it('deletes points older than retentionDays, by the injected clock, at start', async () => {
    const path = file()
    const writer = await open(path)
    writer.write([
      act('home-1', T0 - 40 * DAY),
      { kind: 'health', villageId: 'vil-a', homeId: 'home-1', deviceId: 'home-1-pir', deviceKind: 'sensor', at: T0 - 40 * DAY, battery: 50 },
      act('home-1', T0 - 10 * DAY)
    ])
    await writer.close()
    const clock: Clock = { now: () => T0 }
    const store = await open(path, { clock, retentionDays: 30 })
    expect((await store.activityEvents('home-1', { from: 0, to: T0 })).map((p) => p.at)).toEqual([T0 - 10 * DAY])
    expect(await store.deviceHealth('home-1-pir', { from: T0 - 60 * DAY, to: T0, bucketMs: DAY })).toEqual([])
  })

  it('drops malformed points without throwing and keeps the good ones beside them', async () => {
    const store = await open(file())
    const garbage = [
      null, 42, 'motion', {}, { ...act('home-1', T0), at: Number.NaN }, { ...act('home-1', T0), homeId: 7 },
      { ...act('home-1', T0), timeSource: 'ntp' }, { kind: 'noise', villageId: 'v', homeId: 'h', deviceId: 'd', at: T0 },
      { kind: 'health', villageId: 'vil-a', homeId: 'home-1', deviceId: 'd', deviceKind: 'sensor', at: T0, battery: '90' },
      { kind: 'health', villageId: 'vil-a', homeId: 'home-1', deviceId: 'd', deviceKind: 'sensor', at: T0 }
    ] as unknown as TelemetryPoint[]
    expect(() => store.write([...garbage, act('home-1', T0 + 1)])).not.toThrow()
    expect(() => store.write(undefined as unknown as TelemetryPoint[])).not.toThrow()
    await store.flush()
    expect(await store.activityEvents('home-1', { from: 0, to: T0 + DAY })).toEqual([act('home-1', T0 + 1)])
    expect(store.stats()).toMatchObject({ queued: 0, written: 1 })
  })

  it('accepts writes after close without throwing (late MQTT messages during shutdown)', async () => {
    const store = await open(file())
    await store.close()
    expect(() => store.write([act('home-1', T0)])).not.toThrow()
    await expect(store.flush()).resolves.toBeUndefined()
  })
})
