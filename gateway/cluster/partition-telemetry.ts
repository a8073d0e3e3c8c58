// The shared telemetry store as one partition's alert engine must see it: everything passes through,
// except that the engine's start-up history (the last activity of every home) is cut to the partition's
// homes — otherwise each partition would set inactivity timers for every home in the province.
import type { TelemetryStore } from '../../src/telemetry.ts'

export function partitionTelemetry (store: TelemetryStore, owns: (homeId: string) => boolean): TelemetryStore {
  return {
    kind: store.kind,
    start: async () => { await store.start() },
    write: (points) => { store.write(points) },
    flush: async () => { await store.flush() },
    activityCounts: async (homeId, query) => await store.activityCounts(homeId, query),
    lastActivityByHome: async () => new Map([...await store.lastActivityByHome()].filter(([homeId]) => owns(homeId))),
    lastActivityByDevice: async (homeId) => await store.lastActivityByDevice(homeId),
    activityEvents: async (homeId, range) => await store.activityEvents(homeId, range),
    deviceHealth: async (deviceId, query) => await store.deviceHealth(deviceId, query),
    villageActivity: async (villageId, query) => await store.villageActivity(villageId, query),
    deleteHome: async (homeId) => { await store.deleteHome(homeId) },
    stats: () => store.stats(),
    close: async () => { await store.close() }
  }
}
