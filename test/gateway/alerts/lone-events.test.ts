// The lone-event filter in the alert engine, as the evaluation measured it (bench/eval/replay.ts): a
// motion event with no other within 10 minutes before it neither restarts the inactivity timer nor
// ends an open alert; the next event within 10 minutes does both. Also across a restart.
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { LoneEventFilter } from '../../../gateway/alerts/lone-events.ts'
import type { Alert } from '../../../src/alerts.ts'
import type { ActivityPoint } from '../../../src/telemetry.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: 3-hour cold-start threshold

describe('LoneEventFilter', () => {
  it('counts an event only when another came at most 10 minutes before it, per home', () => {
    const f = new LoneEventFilter()
    expect(f.countedAt('a', T0)).toBeNull()
    expect(f.countedAt('b', T0 + MIN)).toBeNull()
    expect(f.countedAt('a', T0 + 10 * MIN)).toBe(T0 + 10 * MIN)
    expect(f.countedAt('a', T0 + 20 * MIN + 1)).toBeNull()
    f.seed('c', T0)
    expect(f.countedAt('c', T0 + 5 * MIN)).toBe(T0 + 5 * MIN)
  })

  it('judges events that arrive out of order (cluster mode) as the sorted history does', () => {
    const times = [T0, T0 + 2 * MIN, T0 + 30 * MIN, T0 + 45 * MIN, T0 + 47 * MIN]
    const sorted = new LoneEventFilter()
    const inOrder = times.map((t) => sorted.countedAt('h', t)).filter((t) => t !== null)
    expect(inOrder).toEqual([T0 + 2 * MIN, T0 + 47 * MIN])
    // The same events shuffled: the latest counted activity reported is the history's at every point.
    const f = new LoneEventFilter()
    expect(f.countedAt('h', T0 + 2 * MIN)).toBeNull() // alone so far
    expect(f.countedAt('h', T0)).toBe(T0 + 2 * MIN) // late: it makes the later one count, not itself
    expect(f.countedAt('h', T0 + 47 * MIN)).toBeNull()
    expect(f.countedAt('h', T0 + 30 * MIN)).toBeNull() // 17 min before the next: neither counts
    expect(f.countedAt('h', T0 + 45 * MIN)).toBe(T0 + 47 * MIN)
  })

  it('answers as the whole sorted history would while keeping a handful of events per home', () => {
    // The reference: every earlier event kept, the same rule (the last event at or before, the first after).
    const reference = (history: number[], at: number): number | null => {
      const previous = history.filter((t) => t <= at).at(-1) ?? null
      const next = history.find((t) => t > at) ?? null
      const near = (a: number | null, b: number): boolean => a !== null && b - a <= 10 * MIN
      if (next !== null && near(at, next) && !near(previous, next)) return next
      return near(previous, at) ? at : null
    }
    let seed = 11
    const random = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
    const f = new LoneEventFilter()
    const history: number[] = []
    let clock = T0
    for (let i = 0; i < 3_000; i++) {
      const r = random()
      clock += r < 0.5 ? random() * 30_000 : r < 0.85 ? random() * 8 * MIN : random() * 40 * MIN
      // Now and then up to 10 min late (cluster mode), never more: the filter keeps two windows back.
      const at = random() < 0.15 ? Math.round(clock - random() * 10 * MIN) : Math.round(clock)
      const expected = reference(history, at)
      expect(f.countedAt('h', at), `event ${i}`).toBe(expected)
      history.splice(history.filter((t) => t <= at).length, 0, at)
    }
    // A sensor firing every 100 ms for an hour leaves a few entries, not 36,000.
    const chatty = new LoneEventFilter()
    for (let t = T0; t < T0 + H; t += 100) chatty.countedAt('c', t)
    expect((chatty as unknown as { recentOf: Map<string, number[]> }).recentOf.get('c')?.length).toBeLessThanOrEqual(6)
  })

  it('at start-up, finds the latest counted activity after an alert began; a lone one or a failed query keeps it open', async () => {
    const f = new LoneEventFilter()
    const store = (times: number[]) => ({
      activityEvents: async () => times.map((at): ActivityPoint => ({ kind: 'activity', villageId: 'v', homeId: 'h', deviceId: 'd', at, timeSource: 'device' }))
    })
    expect(await f.lastCountedSince(store([T0 - 5 * MIN, T0 + H]), 'h', T0, T0 + 2 * H)).toBe(T0)
    expect(await f.lastCountedSince(store([T0 + H, T0 + H + 3 * MIN, T0 + H + 4 * MIN]), 'h', T0, T0 + 2 * H)).toBe(T0 + H + 4 * MIN)
    // The event just before the alert's start makes the first one after it count.
    expect(await f.lastCountedSince(store([T0 - 2 * MIN, T0 + MIN]), 'h', T0, T0 + 2 * H)).toBe(T0 + MIN)
    expect(await f.lastCountedSince({ activityEvents: async () => { throw new Error('down') } }, 'h', T0, T0 + 2 * H)).toBe(T0)
  })
})

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

interface Home { gw: AlertGateway, homeId: string, villageId: string, deviceId: string, sensor: MqttClient, seen: () => number }

async function setup (time: FakeTime, dataDir?: string): Promise<Home> {
  const gw = await startAlertGateway(time, dataDir)
  open.push(() => gw.stop())
  const ids = dataDir === undefined ? await seedHome(gw) : undefined
  const homeId = ids?.homeId ?? gw.places.listHomes()[0]!.id
  const villageId = ids?.villageId ?? gw.places.listVillages()[0]!.id
  if (ids !== undefined) await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  const creds = ids !== undefined ? await addDevice(gw, homeId) : undefined
  const device = creds ?? { id: gw.devices.list()[0]!.id, secret: '' }
  const sensor = creds === undefined ? null : await connectDevice(gw.urls.mqtt, creds)
  if (sensor !== null) open.push(() => sensor.endAsync(true))
  // The bus calls listeners in order: when ours sees an event, the engine (subscribed first) has too.
  let seen = 0
  gw.bus.on('activity', () => { seen++ })
  return { gw, homeId, villageId, deviceId: device.id, sensor: sensor as MqttClient, seen: () => seen }
}

async function loneEdge (home: Home): Promise<void> {
  const before = home.seen()
  await risingEdges(home.sensor, home.deviceId, 1)
  await waitFor(() => home.seen() > before, 5000, 'the event to reach the bus')
}

async function inactivityAlerts (gw: AlertGateway, homeId: string): Promise<Alert[]> {
  return (await gw.api<Alert[]>('GET', `/api/v1/alerts?homeId=${homeId}&type=inactivity`)).body
}

describe('alert engine: lone events', () => {
  it('a lone event during a stillness does not restart the timer', async () => {
    const time = new FakeTime(T0)
    const home = await setup(time)
    await risingEdges(home.sensor, home.deviceId)
    await waitFor(() => home.gw.alerts.lastActivity(home.homeId) === T0, 5000, 'activity')
    time.advance(2 * H)
    await loneEdge(home) // a cat on the sofa
    expect(home.gw.alerts.lastActivity(home.homeId)).toBe(T0)
    time.advance(H)
    expect(await inactivityAlerts(home.gw, home.homeId)).toMatchObject([{ state: 'open', since: T0, openedAt: T0 + 3 * H }])
  })

  it('an open alert survives a lone event and climbs; the next event within 10 minutes auto-resolves it', async () => {
    const time = new FakeTime(T0)
    const home = await setup(time)
    await risingEdges(home.sensor, home.deviceId)
    time.advance(3 * H + MIN)
    await loneEdge(home)
    time.advance(4 * MIN)
    expect(summary(home.gw.sent)).toEqual([`tv:${home.homeId}:checkin:inactivity`, 'fam-1:alert:inactivity'])
    time.advance(5 * MIN)
    await loneEdge(home) // 9 minutes after the first: the person is moving about
    const [alert] = await inactivityAlerts(home.gw, home.homeId)
    expect(alert).toMatchObject({ state: 'resolved', resolvedBy: 'system', outcome: 'resident_ok', resolvedAt: T0 + 3 * H + 10 * MIN })
    expect(summary(home.gw.sent).slice(2)).toEqual([`tv:${home.homeId}:all_clear:inactivity`, 'fam-1:all_clear:inactivity'])
  })

  it('after a restart, a lone event recorded while the engine was down leaves the alert open; counted motion ends it', async () => {
    const time = new FakeTime(T0)
    const first = await setup(time)
    await risingEdges(first.sensor, first.deviceId)
    time.advance(3 * H + MIN)
    const recorded = (at: number): void => first.gw.telemetry.write([{ kind: 'activity', villageId: first.villageId, homeId: first.homeId, deviceId: first.deviceId, at, timeSource: 'device' }])
    // Recorded in telemetry but never seen by the engine (it crashed in between).
    recorded(time.now())
    await first.gw.telemetry.flush()
    await first.sensor.endAsync(true)
    await first.gw.stop({ keepDir: true })

    const second = await setup(time, first.gw.dataDir)
    expect(await inactivityAlerts(second.gw, second.homeId)).toMatchObject([{ state: 'open' }])
    second.gw.telemetry.write([{ kind: 'activity', villageId: second.villageId, homeId: second.homeId, deviceId: second.deviceId, at: time.now() + 2 * MIN, timeSource: 'device' }])
    await second.gw.telemetry.flush()
    time.advance(3 * MIN)
    await second.gw.stop({ keepDir: true })

    const third = await setup(time, first.gw.dataDir)
    expect(await inactivityAlerts(third.gw, third.homeId)).toMatchObject([{ state: 'resolved', outcome: 'resident_ok', resolvedBy: 'system' }])
  })
})
