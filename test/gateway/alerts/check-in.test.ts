// Two thresholds per home (src/escalation/rules.ts CHECK_IN_FRACTION, docs/evaluation.md): an early TV
// check-in, family still at the full threshold after the TV asks again, and only sustained activity
// ending an unanswered early check-in. A real gateway and sensor, fake time for the alert engine.
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../../src/alerts.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour cold-start day threshold applies
/** 0.8 x 180 min: the early check-in. */
const EARLY = 144 * MIN
const LADDER = { tvTimeoutMs: 5 * MIN, familyTimeoutMs: 15 * MIN, gridTimeoutMs: 30 * MIN, checkInFraction: 0.8 }

const open: Array<{ close: () => Promise<unknown> }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

async function setup (time: FakeTime): Promise<{ gw: AlertGateway, homeId: string, sensor: MqttClient, motion: () => Promise<void> }> {
  const gw = await startAlertGateway(time)
  open.push({ close: () => gw.stop() })
  const { homeId, gridId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  await gw.api('POST', '/api/v1/contacts', { id: 'gw-1', gridId, name: '李网格', phone: '13800000002', role: 'grid_worker' })
  const put = await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: null, quietHours: null, ladder: LADDER, by: 'clerk-1' })
  expect(put.status).toBe(200)
  const creds = await addDevice(gw, homeId)
  const sensor = await connectDevice(gw.urls.mqtt, creds)
  open.push({ close: () => sensor.endAsync(true) })
  const motion = async (): Promise<void> => {
    const before = gw.alerts.lastActivity(homeId)
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) !== before, 5000, 'activity to reach the alert engine')
  }
  return { gw, homeId, sensor, motion }
}

async function alertsOf (gw: AlertGateway, homeId: string): Promise<Alert[]> {
  return (await gw.api<Alert[]>('GET', `/api/v1/alerts?homeId=${homeId}&type=inactivity`)).body
}

async function eventsOf (gw: AlertGateway, id: string | undefined): Promise<string[]> {
  const events = (await gw.api<{ events: AlertEvent[] }>('GET', `/api/v1/alerts/${id}`)).body.events
  return events.map((e) => `${e.action}@${e.rung}@${(e.at - T0) / MIN}`)
}

describe('two thresholds: early TV check-in per home', () => {
  it('asks on the TV at 0.8 x threshold, ignores a brief burst, asks again at the threshold, calls family 5 min later', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    expect(gw.alerts.checkInFractionOf(homeId)).toBe(0.8)
    await motion()
    time.advance(EARLY - 1000)
    expect(gw.sent).toEqual([])
    time.advance(1000)
    const [alert] = await alertsOf(gw, homeId)
    expect(alert).toMatchObject({ state: 'open', rung: 0, since: T0, openedAt: T0 + EARLY, nextRungAt: T0 + 3 * H })
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])

    // A burst of two events within a minute (a cat, sunlight) past the TV timeout: not someone moving about.
    time.advance(10 * MIN)
    await motion()
    expect((await alertsOf(gw, homeId))[0]).toMatchObject({ state: 'open', rung: 0 })

    time.advance(3 * H - EARLY - 10 * MIN - 1000)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
    time.advance(1000)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, `tv:${homeId}:checkin:inactivity`])
    time.advance(5 * MIN)
    expect(summary(gw.sent).slice(2)).toEqual(['fam-1:alert:inactivity'])
    expect(await eventsOf(gw, alert?.id)).toEqual(['opened@0@144', 'updated@0@154', 'updated@0@180', 'escalated@1@185'])
  })

  it('sustained motion (4-15 min apart) ends the unanswered early check-in before family is called', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await motion()
    time.advance(EARLY + 10 * MIN)
    await motion()
    time.advance(5 * MIN)
    await motion()
    const [alert] = await alertsOf(gw, homeId)
    expect(alert).toMatchObject({ state: 'resolved', rung: 0, resolvedBy: 'system', outcome: 'resident_ok' })
    time.advance(H)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, `tv:${homeId}:all_clear:inactivity`])
  })

  it('the resident answering the early check-in resolves it; the next one runs from the answer', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await motion()
    time.advance(EARLY + 2 * MIN)
    const [closed] = gw.alerts.checkIn(homeId)
    expect(closed).toMatchObject({ state: 'resolved', resolvedBy: `tv:${homeId}`, rung: 0 })
    time.advance(EARLY - 1000)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, `tv:${homeId}:all_clear:inactivity`])
    time.advance(1000)
    expect(summary(gw.sent).slice(2)).toEqual([`tv:${homeId}:checkin:inactivity`])
  })

  it('a restart between the early check-in and the threshold asks again once, then family, nothing repeated', async () => {
    const time = new FakeTime(T0)
    const first = await setup(time)
    const { homeId } = first
    await first.motion()
    time.advance(EARLY + MIN)
    expect(summary(first.gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
    await first.sensor.endAsync(true)
    await first.gw.stop({ keepDir: true })

    time.advance(10 * MIN)
    const gw = await startAlertGateway(time, first.gw.dataDir)
    open.push({ close: () => gw.stop() })
    time.advance(0)
    expect(summary(gw.sent).filter((s) => s.endsWith(':inactivity'))).toEqual([])
    time.advance(3 * H - EARLY - 11 * MIN)
    expect(summary(gw.sent).filter((s) => s.endsWith(':inactivity'))).toEqual([`tv:${homeId}:checkin:inactivity`])
    time.advance(5 * MIN)
    expect(summary(gw.sent).filter((s) => s.endsWith(':inactivity'))).toEqual([`tv:${homeId}:checkin:inactivity`, 'fam-1:alert:inactivity'])
    const [alert] = await alertsOf(gw, homeId)
    expect(await eventsOf(gw, alert?.id)).toEqual(['opened@0@144', 'updated@0@180', 'escalated@1@185'])
  })
})
