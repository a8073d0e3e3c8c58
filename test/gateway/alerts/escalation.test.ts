// From MQTT motion to the ladder: a real gateway, a real sensor, fake time for the alert engine.
import type { MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../../src/alerts.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: the 3-hour day threshold applies

const open: Array<{ close: () => Promise<unknown> }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

async function setup (time: FakeTime, dataDir?: string): Promise<{ gw: AlertGateway, homeId: string, sensor: MqttClient, motion: () => Promise<void> }> {
  const gw = await startAlertGateway(time, dataDir)
  open.push({ close: () => gw.stop() })
  const { homeId, gridId, villageId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  await gw.api('POST', '/api/v1/contacts', { id: 'gw-1', gridId, name: '李网格', phone: '13800000002', role: 'grid_worker' })
  await gw.api('POST', '/api/v1/contacts', { id: 'duty-1', villageId, name: '值班', phone: '13800000003', role: 'village_duty' })
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

describe('escalation ladder end to end', () => {
  it('opens at the threshold, climbs TV → family → grid worker, stops on ack, auto-resolves on motion', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await motion()
    expect(gw.alerts.lastActivity(homeId)).toBe(T0)

    time.advance(3 * H - 1000)
    expect(await alertsOf(gw, homeId)).toEqual([])
    time.advance(1000)
    const [alert] = await alertsOf(gw, homeId)
    expect(alert).toMatchObject({ state: 'open', rung: 0, since: T0, openedAt: T0 + 3 * H })
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
    expect(gw.sent[0]).toMatchObject({ channel: 'sse', text: '您还好吗？按确认键报平安。' })

    time.advance(5 * MIN)
    expect(summary(gw.sent).slice(1)).toEqual(['fam-1:alert:inactivity'])
    expect(gw.sent[1]?.text).toBe('【安居】山下庄 12号（王秀英） 自 09:42 起已 3 小时 5 分钟无活动，请确认老人安全。')
    time.advance(15 * MIN)
    expect(summary(gw.sent).slice(2)).toEqual(['gw-1:alert:inactivity'])

    const ack = await gw.api<Alert>('POST', `/api/v1/alerts/${alert?.id}/ack`, { by: 'gw-1' })
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'gw-1', nextRungAt: null })
    expect(summary(gw.sent).slice(3)).toEqual([`tv:${homeId}:acknowledged:inactivity`, 'fam-1:acknowledged:inactivity', 'gw-1:acknowledged:inactivity'])
    time.advance(2 * H)
    expect(gw.sent.some((n) => n.recipient === 'duty-1')).toBe(false)

    await motion()
    const closed = await gw.api<Alert & { events: AlertEvent[] }>('GET', `/api/v1/alerts/${alert?.id}`)
    expect(closed.body).toMatchObject({ state: 'resolved', resolvedBy: 'system', outcome: 'resident_ok' })
    expect(closed.body.events.map((e) => `${e.action}@${e.rung}`)).toEqual(['opened@0', 'escalated@1', 'escalated@2', 'acknowledged@2', 'auto_resolved@2'])
    expect(summary(gw.sent).slice(6)).toEqual([`tv:${homeId}:all_clear:inactivity`, 'fam-1:all_clear:inactivity', 'gw-1:all_clear:inactivity'])
    expect(gw.sent[7]?.text).toContain('已检测到活动')
    // The village duty rung was never reached: no name ever went there, and nothing else was sent.
    expect(gw.sent).toHaveLength(9)
  })

  it('climbs to village duty without a name in its text; the TV check-in never names the resident', async () => {
    const time = new FakeTime(T0)
    const { gw, motion } = await setup(time)
    await motion()
    time.advance(3 * H + 50 * MIN)
    expect(summary(gw.sent).map((s) => s.split(':')[0])).toEqual(['tv', 'fam-1', 'gw-1', 'duty-1'])
    expect(gw.sent[3]?.text).toContain('山下庄 12号')
    for (const i of [0, 3]) expect(gw.sent[i]?.text).not.toContain('王秀英')
  })

  it('the resident answering the TV check-in resolves the alert before anyone else is called', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await motion()
    time.advance(3 * H + 2 * MIN)
    const [closed] = gw.alerts.checkIn(homeId)
    expect(closed).toMatchObject({ state: 'resolved', resolvedBy: `tv:${homeId}`, outcome: 'resident_ok' })
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, `tv:${homeId}:all_clear:inactivity`])
    expect(gw.sent[1]?.text).toBe('已确认您平安，谢谢！')
    // The answer counts as activity: the next deadline runs from it.
    time.advance(3 * H - 1000)
    expect(gw.sent).toHaveLength(2)
    time.advance(1000)
    expect(summary(gw.sent).slice(2)).toEqual([`tv:${homeId}:checkin:inactivity`])
  })

  it('a rung with nobody on it is skipped at once instead of waiting out its timeout', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await gw.api('DELETE', '/api/v1/contacts/fam-1')
    await motion()
    time.advance(3 * H + 5 * MIN)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, 'gw-1:alert:inactivity'])
    const [alert] = await alertsOf(gw, homeId)
    expect(alert).toMatchObject({ rung: 2, nextRungAt: T0 + 3 * H + 35 * MIN })
  })

  it('a sensor silent for days while another sees motion is reported to the grid worker', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    const second = await addDevice(gw, homeId)
    const other = await connectDevice(gw.urls.mqtt, second)
    open.push({ close: () => other.endAsync(true) })
    const otherMotion = async (): Promise<void> => {
      const before = gw.alerts.lastActivity(homeId)
      await risingEdges(other, second.id)
      await waitFor(() => gw.alerts.lastActivity(homeId) !== before, 5000, 'activity')
    }
    await motion()
    time.advance(MIN)
    await otherMotion()
    time.advance(3 * 24 * H + MIN)
    gw.sent.length = 0
    await motion()
    expect(summary(gw.sent).filter((n) => n.endsWith(':sensor_silent'))).toEqual(['gw-1:alert:sensor_silent'])
    time.advance(MIN)
    await otherMotion()
    expect(summary(gw.sent).filter((n) => n.endsWith(':sensor_silent'))).toEqual(['gw-1:alert:sensor_silent', 'gw-1:all_clear:sensor_silent'])
  })

  it('away mode suppresses inactivity until return, then counts from the return', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId, motion } = await setup(time)
    await motion()
    const away = await gw.api('POST', `/api/v1/homes/${homeId}/away`, { until: T0 + 24 * H, by: 'fam-1' })
    expect(away.status).toBe(200)
    time.advance(24 * H + 3 * H - 1000)
    expect(await alertsOf(gw, homeId)).toEqual([])
    time.advance(1000)
    expect(await alertsOf(gw, homeId)).toMatchObject([{ state: 'open', since: T0 + 24 * H }])
    const settings = await gw.api<{ audit: Array<{ actor: string, change: Record<string, unknown> }> }>('GET', `/api/v1/homes/${homeId}/alert-settings`)
    expect(settings.body.audit).toEqual([expect.objectContaining({ actor: 'fam-1', change: { awayUntil: T0 + 24 * H } })])
  })

  it('a restart during escalation resumes at the right rung with no lost or repeated notification', async () => {
    const time = new FakeTime(T0)
    const first = await setup(time)
    const { homeId, motion } = first
    await motion()
    time.advance(3 * H + 5 * MIN)
    expect(summary(first.gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`, 'fam-1:alert:inactivity'])
    await first.sensor.endAsync(true)
    await first.gw.stop({ keepDir: true })

    // Down for 20 minutes: the grid worker's rung fell due meanwhile.
    time.advance(20 * MIN)
    const gw = await startAlertGateway(time, first.gw.dataDir)
    open.push({ close: () => gw.stop() })
    time.advance(0)
    expect(summary(gw.sent)).toEqual(['gw-1:alert:inactivity'])
    time.advance(30 * MIN)
    expect(summary(gw.sent).filter((s) => s.endsWith(':inactivity'))).toEqual(['gw-1:alert:inactivity', 'duty-1:alert:inactivity'])
    // The sensor never came back after the restart: after 30 minutes that is the grid worker's matter.
    expect(summary(gw.sent).filter((s) => s.endsWith(':home_offline'))).toEqual(['gw-1:alert:home_offline'])
    const [alert] = await alertsOf(gw, homeId)
    const events = (await gw.api<{ events: AlertEvent[] }>('GET', `/api/v1/alerts/${alert?.id}`)).body.events
    expect(events.map((e) => `${e.action}@${e.rung}@${(e.at - T0) / MIN}`)).toEqual(['opened@0@180', 'escalated@1@185', 'escalated@2@205', 'escalated@3@235'])
  })
})
