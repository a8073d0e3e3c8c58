// The shared telemetry store as the partitions' alert engines must see it. Everything passes through
// except each home's last activity, the engines' start-up history:
// - cut to the partition's homes, or each partition would set timers for every home in the province;
// - read once for all the partitions a worker takes over together (a takeover of 20 partitions in one
//   lease tick would otherwise ask InfluxDB for every home's last activity 20 times).
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'

/** `store` with its lastActivityByHome answered by `lastActivityByHome`. */
function withLastActivity (store: TelemetryStore, lastActivityByHome: () => Promise<Map<string, number>>): TelemetryStore {
  return {
    kind: store.kind,
    start: async () => { await store.start() },
    write: (points) => { store.write(points) },
    flush: async () => { await store.flush() },
    activityCounts: async (homeId, query) => await store.activityCounts(homeId, query),
    lastActivityByHome,
    lastActivityByDevice: async (homeId) => await store.lastActivityByDevice(homeId),
    activityEvents: async (homeId, range) => await store.activityEvents(homeId, range),
    deviceHealth: async (deviceId, query) => await store.deviceHealth(deviceId, query),
    villageActivity: async (villageId, query) => await store.villageActivity(villageId, query),
    deleteHome: async (homeId) => { await store.deleteHome(homeId) },
    stats: () => store.stats(),
    close: async () => { await store.close() }
  }
}

export function partitionTelemetry (store: TelemetryStore, owns: (homeId: string) => boolean): TelemetryStore {
  return withLastActivity(store, async () => new Map([...await store.lastActivityByHome()].filter(([homeId]) => owns(homeId))))
}

/**
 * Callers within `maxAgeMs` of one another share one lastActivityByHome query. The answer may be that
 * much older than the takeover: the motion of those moments still reaches the new owner through the
 * partition's stream, which it replays from the last committed position.
 */
export function sharedLastActivity (store: TelemetryStore, maxAgeMs: number, clock: Clock): TelemetryStore {
  let recent: { at: number, answer: Promise<Map<string, number>> } | undefined
  return withLastActivity(store, async () => {
    const now = clock.now()
    if (recent === undefined || now - recent.at > maxAgeMs) {
      const answer = store.lastActivityByHome()
      recent = { at: now, answer }
      // A failed query is not shared: the next takeover asks again.
      answer.catch(() => { if (recent?.answer === answer) recent = undefined })
    }
    return await recent.answer
  })
}
