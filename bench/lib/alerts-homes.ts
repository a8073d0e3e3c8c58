// Shared by the alerts scenario's two halves: register many homes (one sensor each) in one SQLite
// transaction through the registry's own stores, then build the real gateway on that data directory,
// silent and on ephemeral loopback ports. Activity goes onto the gateway's bus as ingest puts it there:
// one `activity` event per motion rising edge.
import { openDatabase } from '../../gateway/db/open-database.ts'
import { build, type BuildOptions, type Gateway } from '../../gateway/build.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { createLogger } from '../../gateway/logger.ts'
import { DeviceStore } from '../../gateway/registry/device-store.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import type { Clock } from '../../src/clock.ts'

export interface BenchHome { homeId: string, deviceId: string }

/** 100 homes per grid, 10 grids per village (a township's worth of villages at 100k homes). */
export function registerHomes (dataDir: string, count: number, clock: Clock): BenchHome[] {
  const db = openDatabase(dataDir)
  try {
    const places = new PlacesStore(db, clock)
    const devices = new DeviceStore(db, clock)
    const homes: BenchHome[] = []
    db.transaction(() => {
      let gridId = ''
      let villageId = ''
      for (let i = 0; i < count; i++) {
        if (i % 1000 === 0) villageId = places.createVillage({ name: `村 ${i / 1000}` }).id
        if (i % 100 === 0) gridId = places.createGrid({ villageId, name: `网格 ${i / 100}` }).id
        const home = places.createHome({ gridId, label: `${i} 号` })
        homes.push({ homeId: home.id, deviceId: devices.register('sensor', { homeId: home.id }).id })
      }
    })()
    return homes
  } finally {
    db.close()
  }
}

export function buildBenchGateway (dataDir: string, options: BuildOptions): Promise<Gateway> {
  const config = parseConfig({ logLevel: 'silent', dataDir, http: { host: '127.0.0.1', port: 0 }, mqtt: { host: '127.0.0.1', port: 0 } })
  return build(config, { ...options, log: createLogger('silent') })
}

/** One motion rising edge, as ingest emits it (gateway/ingest: `activity` on false → true). */
export function edge (gw: Gateway, home: BenchHome, at: number): void {
  gw.bus.emit('activity', { homeId: home.homeId, deviceId: home.deviceId, at, timeSource: 'device' })
}

/** What the process holds: RSS, and the V8 heap after a full GC (needs --expose-gc). */
export function memory (): { rssMb: number, heapUsedMbAfterGc: number | null } {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  return { rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20), heapUsedMbAfterGc: gc === undefined ? null : Math.round(process.memoryUsage().heapUsed / 2 ** 20) }
}

/** Deadlines in the alert engine's heap (one per home and kind) and Node timers actually armed. */
export function timerCounts (gw: Gateway): { deadlines: number, nodeTimeouts: number } {
  // The scheduler is protected inside the engine; a benchmark may look, nothing else should.
  const deadlines = (gw.alerts as unknown as { scheduler: { size: number } }).scheduler.size
  const nodeTimeouts = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  return { deadlines, nodeTimeouts }
}

/** Emit to the parent: the last line of stdout starting with RESULT is the half's figures. */
export function report (figures: unknown): void {
  console.log('RESULT ' + JSON.stringify(figures))
}
