// The orchestration on a stepped clock with fake MQTT links: a simulated day in milliseconds.
import { describe, expect, it } from 'vitest'
import type { DevicesFile } from '../../device-sim/devices-file.ts'
import type { DeviceLink, LinkFactory, Will } from '../../device-sim/mqtt-link.ts'
import { HOUR, MINUTE } from '../../device-sim/routine.ts'
import type { Scenario } from '../../device-sim/scenarios.ts'
import { ManualScheduler, parseSimTime } from '../../device-sim/sim-time.ts'
import { SimStats } from '../../device-sim/stats.ts'
import { VillageSim } from '../../device-sim/village-sim.ts'

interface Sent { id: string, topic: string, payload: string, at: number, retain: boolean }

function fakeLinks (scheduler: ManualScheduler) {
  const sent: Sent[] = []
  const events: Array<{ id: string, what: 'drop' | 'close', at: number, will: Will }> = []
  const links: LinkFactory = ({ id }, will) => {
    let connected = true
    const link: DeviceLink = {
      id,
      get connected () { return connected },
      ready: Promise.resolve(),
      publish (topic, payload, opts, done) {
        sent.push({ id, topic, payload, at: scheduler.now(), retain: opts.retain ?? false })
        done?.()
      },
      subscribe () {},
      onConnect (listener) { listener() },
      drop () { connected = false; events.push({ id, what: 'drop', at: scheduler.now(), will }) },
      async close () { connected = false; events.push({ id, what: 'close', at: scheduler.now(), will }) }
    }
    return link
  }
  return { sent, events, links }
}

const START = Date.parse('2025-03-03T06:00:00+08:00')
const FILE: DevicesFile = {
  version: 1,
  villageId: 'vil-test1',
  villageName: '山下庄村',
  seed: 42,
  homes: [
    { kind: 'native', index: 0, homeId: 'home-0', label: '山下庄 1号', sensors: [{ id: 'dev-a0', secret: 's', room: 'living_room' }, { id: 'dev-a1', secret: 's', room: 'bedroom' }, { id: 'dev-a2', secret: 's', room: 'kitchen' }] },
    { kind: 'hub', index: 1, homeId: 'home-1', label: '山下庄 2号', hub: { id: 'hub-b', secret: 's' }, sensors: [{ friendlyName: 'living_room_pir', room: 'living_room' }, { friendlyName: 'kitchen_pir', room: 'kitchen' }] }
  ]
}

async function simulate (scenarios: Scenario[], hours = 24) {
  const scheduler = new ManualScheduler(START)
  const fake = fakeLinks(scheduler)
  const sim = new VillageSim({ file: FILE, seed: 42, scheduler, links: fake.links, stats: new SimStats(), scenarios, includeTs: true })
  await sim.start()
  scheduler.advanceTo(START + hours * HOUR)
  await sim.stop()
  return fake
}

const motionOf = (sent: Sent[], id: string): Array<{ at: number, motion: boolean }> =>
  sent.filter((s) => s.topic === `anju/v1/dev/${id}/motion`).map((s) => ({ at: s.at, motion: (JSON.parse(s.payload) as { motion: boolean }).motion }))

describe('village simulation', () => {
  it('publishes protocol v1 and Zigbee2MQTT payloads, the same for the same seed', async () => {
    const a = await simulate([])
    const b = await simulate([])
    expect(b.sent).toEqual(a.sent)
    const motion = motionOf(a.sent, 'dev-a0')
    expect(motion.length).toBeGreaterThan(10)
    // PIR edges: true and false alternate, every false comes after a true.
    expect(motion.every((m, i) => m.motion === (i % 2 === 0))).toBe(true)
    const status = a.sent.filter((s) => s.topic === 'anju/v1/dev/dev-a0/status').map((s) => JSON.parse(s.payload) as Record<string, unknown>)
    expect(status.length).toBeGreaterThanOrEqual(24 * 12 - 2) // every 300 s ± 5 %
    expect(status[0]).toMatchObject({ fw: 'sim-1.0', battery: expect.any(Number), rssi: expect.any(Number) })
    const first = a.sent.find((s) => s.topic === 'anju/v1/dev/dev-a0/motion')
    expect(JSON.parse(first?.payload ?? '{}')).toEqual({ motion: true, ts: first?.at })

    expect(a.sent.find((s) => s.topic === 'anju/v1/hub/hub-b/bridge/state')).toMatchObject({ payload: '{"state":"online"}', retain: true })
    const z2m = a.sent.filter((s) => s.topic === 'anju/v1/hub/hub-b/kitchen_pir').map((s) => JSON.parse(s.payload) as Record<string, unknown>)
    expect(z2m.some((p) => p.occupancy === true)).toBe(true)
    expect(Object.keys(z2m[0] ?? {}).sort()).toEqual(['battery', 'device_temperature', 'illuminance', 'linkquality', 'occupancy', 'voltage'])
  })

  it('drains batteries over simulated days', async () => {
    const { sent } = await simulate([], 24 * 20)
    const battery = sent.filter((s) => s.topic === 'anju/v1/dev/dev-a1/status').map((s) => (JSON.parse(s.payload) as { battery: number }).battery)
    expect((battery[0] as number) - (battery.at(-1) as number)).toBeGreaterThanOrEqual(2)
  })

  it('stops motion when the person stops moving, while heartbeats go on', async () => {
    const stop = parseSimTime('+3h', START)
    const { sent } = await simulate([{ kind: 'stop-moving', home: 0, at: stop }])
    const after = (id: string) => sent.filter((s) => s.id === id && s.at > stop + 2 * MINUTE)
    for (const id of ['dev-a0', 'dev-a1', 'dev-a2']) {
      expect(after(id).filter((s) => s.topic.endsWith('/motion'))).toEqual([])
      expect(after(id).filter((s) => s.topic.endsWith('/status')).length).toBeGreaterThan(100)
    }
    // A PIR output that was high falls back low after its hold time; nothing rises after the stop.
    const rises = motionOf(sent, 'dev-a0').filter((m) => m.motion && m.at >= stop)
    expect(rises).toEqual([])
    expect(sent.some((s) => s.topic.startsWith('anju/v1/hub/hub-b/') && s.at > stop + HOUR && s.payload.includes('"occupancy":true'))).toBe(true)
  })

  it('drops a dying sensor without DISCONNECT and takes a hub offline with its bridge state', async () => {
    const dies = parseSimTime('+1h', START)
    const hubOff = parseSimTime('+2h', START)
    const { sent, events } = await simulate([{ kind: 'sensor-dies', device: 1, at: dies }, { kind: 'hub-offline', home: 1, at: hubOff, mode: 'clean' }])
    expect(events.filter((e) => e.at < START + 24 * HOUR)).toEqual([
      { id: 'dev-a1', what: 'drop', at: dies, will: { topic: 'anju/v1/dev/dev-a1/status', payload: '{"online":false}', retain: false } },
      { id: 'hub-b', what: 'close', at: hubOff, will: { topic: 'anju/v1/hub/hub-b/bridge/state', payload: '{"state":"offline"}', retain: true } }
    ])
    expect(sent.filter((s) => s.id === 'dev-a1' && s.at > dies)).toEqual([])
    const lastHub = sent.filter((s) => s.id === 'hub-b').at(-1)
    expect(lastHub).toMatchObject({ topic: 'anju/v1/hub/hub-b/bridge/state', payload: '{"state":"offline"}', at: hubOff })
  })

  it('refuses impossible scenarios before connecting anything', () => {
    const scheduler = new ManualScheduler(START)
    const make = (scenarios: Scenario[]) => () => new VillageSim({ file: FILE, seed: 1, scheduler, links: fakeLinks(scheduler).links, stats: new SimStats(), scenarios, includeTs: false })
    expect(make([{ kind: 'sensor-dies', device: 5, at: START }])).toThrow(/5 sensors, numbered 0-4/)
    expect(make([{ kind: 'hub-offline', home: 0, at: START, mode: 'drop' }])).toThrow(/has no hub/)
    expect(make([{ kind: 'stop-moving', home: 9, at: START }])).toThrow(/no home/)
  })
})

describe('simulated time', () => {
  it('parses offsets, clock times and ISO in village time', () => {
    expect(parseSimTime('+90m', START)).toBe(START + 90 * MINUTE)
    expect(parseSimTime('+1d2h', START)).toBe(START + 26 * HOUR)
    expect(parseSimTime('07:30', START)).toBe(START + 90 * MINUTE)
    expect(parseSimTime('05:00', START)).toBe(START + 23 * HOUR) // already past today: tomorrow
    expect(parseSimTime('2025-03-03T08:00', START)).toBe(START + 2 * HOUR)
    expect(parseSimTime('2025-03-03T08:00Z', START)).toBe(Date.parse('2025-03-03T08:00Z'))
    expect(() => parseSimTime('soon', START)).toThrow(/not a time/)
  })

  it('runs tasks in time order, including tasks scheduled by tasks', () => {
    const s = new ManualScheduler(0)
    const seen: string[] = []
    s.at(30, () => seen.push('c'))
    s.at(10, (at) => { seen.push('a'); s.at(at + 5, () => seen.push('b')) })
    const cancel = s.at(20, () => seen.push('cancelled'))
    cancel()
    s.advanceTo(100)
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(s.now()).toBe(100)
  })
})
