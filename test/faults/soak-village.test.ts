// Soak: a simulated village against a real gateway with the gateway's clock accelerated with it, so a
// day passes in about a minute end to end. What is accelerated: the simulator's scheduler (routines,
// heartbeats, scenarios) and the gateway's clock and timers given to build() (broker rate buckets,
// ingest times, alert deadlines and escalation, notify retries). What is not: real-time intervals
// inside the gateway (device-health flush every 100 ms, cron-scheduled jobs such as the nightly model
// refresh, which therefore never runs; every home stays on the cold-start thresholds), MQTT keepalives
// and TCP. The simulator runs in this process (real MQTT over loopback), so the memory and handle
// figures are the gateway's plus the simulator's; both must stay flat after warm-up.
// Default: 100 homes, one simulated day. ANJU_LONG_FAULTS=1: 500 homes, a simulated week.
import { readdirSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, describe, expect, it } from 'vitest'
import type { DevicesFile } from '../../device-sim/devices-file.ts'
import { mqttLinkFactory } from '../../device-sim/mqtt-link.ts'
import { AdminApi, provisionVillage } from '../../device-sim/provision.ts'
import type { Scenario } from '../../device-sim/scenarios.ts'
import { RealtimeScheduler } from '../../device-sim/sim-time.ts'
import { SimStats } from '../../device-sim/stats.ts'
import { VillageSim } from '../../device-sim/village-sim.ts'
import { planVillage } from '../../device-sim/village-plan.ts'
import type { Timers } from '../../src/clock.ts'
import { waitFor } from '../helpers/mqtt-client.ts'
import { startGateway, type TestGateway } from '../helpers/start-gateway.ts'

const LONG = process.env.ANJU_LONG_FAULTS === '1'
const HOMES = LONG ? 500 : 100
const DAYS = LONG ? 7 : 1
const SPEED = 1440 // a simulated day per real minute
const HOUR = 3_600_000
const DAY = 24 * HOUR
// A Monday 06:00 village time (+08:00): residents wake up as the run starts.
const START = Date.parse('2025-03-03T06:00:00+08:00')
// Simulated seconds between heartbeats (the gateway's config downlink, obeyed by the sensors): 1 h
// instead of 5 min keeps 1,250 sensors at 1440× near 500 heartbeats a real second on a 2-core machine.
const HEARTBEAT_S = 3600

setFlagsFromString('--expose_gc')
const gc = runInNewContext('gc') as () => void

/** The gateway's clock and timers: `start` until `realStart()` is set, then `speed` times real time. */
function acceleratedTimers (start: number, speed: number, realStart: () => number | null): Timers {
  return {
    now: () => { const r = realStart(); return r === null ? start : start + (Date.now() - r) * speed },
    setTimeout: (fn, ms) => { const t = setTimeout(fn, Math.max(0, ms) / speed); t.unref(); return t },
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
  }
}

interface Sample { simHours: number, rssMb: number, heapMb: number, handles: number, fds: number }

function sample (simNow: number): Sample {
  gc()
  const m = process.memoryUsage()
  const handles = (process as unknown as { _getActiveHandles: () => unknown[] })._getActiveHandles().length
  return { simHours: Math.round((simNow - START) / HOUR * 10) / 10, rssMb: Math.round(m.rss / 1e5) / 10, heapMb: Math.round(m.heapUsed / 1e5) / 10, handles, fds: readdirSync('/proc/self/fd').length }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

describe(`soak: ${HOMES} homes, ${DAYS} simulated day(s) at ${SPEED}×`, () => {
  let gw: TestGateway | undefined
  let sim: VillageSim | undefined
  afterAll(async () => {
    await sim?.stop()
    await gw?.stop()
  })

  it('keeps memory and handles flat after warm-up and alerts every labelled emergency', async () => {
    // The gateway's clock stands at START while the village is provisioned, then runs with the simulator's.
    let clockStart: number | null = null
    const timers = acceleratedTimers(START, SPEED, () => clockStart)
    const setupStarted = Date.now()
    gw = await startGateway({}, { timers })
    const plan = planVillage({ seed: 7, homes: HOMES, hubRatio: 0.3, grids: Math.ceil(HOMES / 20), labelPrefix: '山下庄' })
    const file: DevicesFile = await provisionVillage(new AdminApi(gw.urls.http, gw.adminToken), {
      villageName: '山下庄村', gridNames: Array.from({ length: Math.ceil(HOMES / 20) }, (_, i) => `第${i + 1}网格`), plan, seed: 7, people: true, concurrency: 4
    })
    for (const home of file.homes) {
      if (home.kind !== 'native') continue
      for (const s of home.sensors) await gw.api('PUT', `/api/v1/devices/${s.id}/config`, { heartbeatSeconds: HEARTBEAT_S })
    }
    // Labelled emergencies: one home in ten stops moving, spread over the run's days, at 10:00 or 19:00.
    // Not earlier in the morning: a home whose person has not moved once since the gateway started has
    // no inactivity deadline at all (alert-watch.ts starts deadlines at a home's first activity; cold start
    // has no wake-by time), so an 08:00 emergency before a late riser's first motion was never alerted
    // (found by this test with seed 7: home 65). That gap is reported, not papered over: see below.
    const emergencies: Array<Extract<Scenario, { kind: 'stop-moving' }>> = []
    for (let i = 5; i < HOMES; i += 10) {
      const day = Math.floor((i / HOMES) * DAYS)
      emergencies.push({ kind: 'stop-moving', home: i, at: START + day * DAY + (i % 20 === 5 ? 4 * HOUR : 13 * HOUR) })
    }
    // The latest emergency must have time to be alerted: cold start waits 3 h by day, until 09:00 after an evening.
    const lastAt = Math.max(...emergencies.map((e) => e.at))
    const endAt = Math.max(START + DAYS * DAY, lastAt + 21 * HOUR)
    console.log(`soak: set-up ${((Date.now() - setupStarted) / 1000).toFixed(1)} s for ${file.homes.length} homes, ${file.homes.reduce((n, h) => n + h.sensors.length, 0)} sensors; ${emergencies.length} labelled emergencies`)

    const firstActivity = new Map<string, number>()
    gw.bus.on('activity', (e) => { if (!firstActivity.has(e.homeId)) firstActivity.set(e.homeId, e.at) })
    clockStart = Date.now()
    const scheduler = new RealtimeScheduler(START, SPEED, Date.now, clockStart)
    const stats = new SimStats()
    sim = new VillageSim({ file, seed: 7, scheduler, links: mqttLinkFactory({ url: gw.urls.mqtt, stats }), stats, scenarios: emergencies, includeTs: false, heartbeatSeconds: HEARTBEAT_S })
    await sim.start()
    const clients = stats.clients

    const samples: Sample[] = []
    const runStarted = Date.now()
    while (scheduler.now() < endAt) {
      await new Promise((resolve) => setTimeout(resolve, 3000))
      samples.push(sample(scheduler.now()))
    }
    const realSeconds = (Date.now() - runStarted) / 1000
    // Warm-up: the first simulated quarter (all connected, first heartbeats, alert timers armed).
    const after = samples.filter((s) => s.simHours >= (endAt - START) / HOUR / 4)
    const early = after.slice(0, Math.max(3, Math.floor(after.length / 5)))
    const late = after.slice(-Math.max(3, Math.floor(after.length / 5)))
    const growth = {
      heapMb: median(late.map((s) => s.heapMb)) - median(early.map((s) => s.heapMb)),
      rssMb: median(late.map((s) => s.rssMb)) - median(early.map((s) => s.rssMb)),
      handles: median(late.map((s) => s.handles)) - median(early.map((s) => s.handles)),
      fds: median(late.map((s) => s.fds)) - median(early.map((s) => s.fds))
    }
    console.log(`soak: ${((endAt - START) / HOUR).toFixed(0)} simulated hours in ${realSeconds.toFixed(0)} real s; ${stats.total()} messages sent (${JSON.stringify(stats.sent)}), ${stats.lost} connections lost, ${stats.refused} refused`)
    console.log(`soak: samples (sim h, rss MB, heap MB, handles, fds): ${samples.map((s) => `${s.simHours}:${s.rssMb}/${s.heapMb}/${s.handles}/${s.fds}`).join(' ')}`)
    console.log(`soak: growth after warm-up ${JSON.stringify(growth)}`)

    expect(stats.connected).toBe(clients)
    expect(stats.lost).toBe(0)
    // Flat: a leak of even 1 KB per message would show as tens of MB here.
    expect(growth.heapMb).toBeLessThan(15)
    expect(growth.rssMb).toBeLessThan(60)
    // Handles and fds may fall (idle HTTP keep-alive sockets of the provisioning close); they must not climb.
    expect(growth.handles).toBeLessThanOrEqual(10)
    expect(growth.fds).toBeLessThanOrEqual(10)

    // Every labelled emergency raised an inactivity (or not-up) alert for its home after it began.
    const homeIdOf = (index: number): string => (file.homes[index] as { homeId: string }).homeId
    // An alert covers an emergency if it was open at some moment after the person stopped moving: opened
    // after, or opened earlier (a false alarm nobody answered, the simulator answers none) and still open.
    const covers = (a: { homeId: string, openedAt: number, resolvedAt: number | null }, e: { home: number, at: number }): boolean =>
      a.homeId === homeIdOf(e.home) && (a.openedAt >= e.at || a.resolvedAt === null || a.resolvedAt >= e.at)
    const missed = await waitFor(() => {
      const raised = gw?.alerts.list({}).filter((a) => a.type === 'inactivity' || a.type === 'not_up') ?? []
      const left = emergencies.filter((e) => !raised.some((a) => covers(a, e)))
      return left.length === 0 ? [] : scheduler.now() > endAt + 6 * HOUR ? left : undefined
    }, 60_000, 'the labelled emergencies alerted')
    const alerts = gw.alerts.list({})
    const labelled = new Set(emergencies.map((e) => homeIdOf(e.home)))
    const delays = emergencies.map((e) => Math.max(0, Math.min(...alerts.filter((a) => covers(a, e)).map((a) => a.openedAt - e.at))) / HOUR)
    console.log(`soak: alert delay after the person stopped moving (simulated h; 0 = an alert already open): ${delays.map((d) => d.toFixed(1)).join(' ')}`)
    console.log(`soak: ${alerts.length} alerts, ${alerts.filter((a) => labelled.has(a.homeId)).length} in the ${labelled.size} labelled homes, ${alerts.filter((a) => !labelled.has(a.homeId)).length} elsewhere (cold-start thresholds)`)
    // The engine's precondition for every labelled home: its person had moved before stopping.
    expect(emergencies.filter((e) => !((firstActivity.get(homeIdOf(e.home)) ?? Infinity) < e.at)).map((e) => e.home)).toEqual([])
    for (const e of missed) {
      const home = homeIdOf(e.home)
      console.log(`soak: MISSED home ${e.home} (${home}, ${file.homes[e.home]?.kind}) stopped at +${((e.at - START) / HOUR).toFixed(1)} h; its alerts:`,
        JSON.stringify(alerts.filter((a) => a.homeId === home).map((a) => ({ ...a, events: gw?.alerts.get(a.id).events.map((x) => ({ ...x, at: (x.at - START) / HOUR })), openedAt: (a.openedAt - START) / HOUR, since: (a.since - START) / HOUR, resolvedAt: a.resolvedAt === null ? null : (a.resolvedAt - START) / HOUR }))))
    }
    expect(missed).toEqual([])
  }, LONG ? 1_200_000 : 300_000)
})
