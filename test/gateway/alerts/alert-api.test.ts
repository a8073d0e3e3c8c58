// The alerts API (closed loop: ack, resolve with outcome and note; audited settings) and the device
// alerts (home offline, low battery) on a real gateway with fake time.
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, AlertEvent } from '../../../src/alerts.ts'
import { addDevice, seedHome } from '../../helpers/start-gateway.ts'
import { connectDevice, waitFor } from '../../helpers/mqtt-client.ts'
import { risingEdges, startAlertGateway, summary, type AlertGateway } from './alert-gateway.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

const MIN = 60_000
const H = 60 * MIN
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time

const open: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close()
})

async function setup (time: FakeTime): Promise<{ gw: AlertGateway, homeId: string, gridId: string }> {
  const gw = await startAlertGateway(time)
  open.push(() => gw.stop())
  const { homeId, gridId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  await gw.api('POST', '/api/v1/contacts', { id: 'gw-1', gridId, name: '李网格', phone: '13800000002', role: 'grid_worker' })
  return { gw, homeId, gridId }
}

describe('alerts API', () => {
  it('resolve records outcome and note, tells everyone notified, and refuses a second close', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId } = await setup(time)
    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    open.push(() => sensor.endAsync(true))
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === T0, 5000, 'activity')
    time.advance(3 * H + 5 * MIN)
    const [alert] = (await gw.api<Alert[]>('GET', '/api/v1/alerts?state=open')).body
    expect(alert).toMatchObject({ homeId, type: 'inactivity', rung: 1 })

    const bad = await gw.api('POST', `/api/v1/alerts/${alert?.id}/resolve`, { by: 'gw-1', outcome: 'fine', note: '' })
    expect(bad.status).toBe(400)
    const res = await gw.api<Alert>('POST', `/api/v1/alerts/${alert?.id}/resolve`, { by: 'gw-1', outcome: 'helped_at_home', note: '老人跌倒，已扶起，无大碍' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ state: 'resolved', resolvedBy: 'gw-1', resolvedAt: T0 + 3 * H + 5 * MIN, outcome: 'helped_at_home', note: '老人跌倒，已扶起，无大碍' })
    expect(summary(gw.sent).slice(2)).toEqual([`tv:${homeId}:all_clear:inactivity`, 'fam-1:all_clear:inactivity'])
    expect(gw.sent[3]?.text).toContain('已上门协助')

    const detail = await gw.api<Alert & { events: AlertEvent[] }>('GET', `/api/v1/alerts/${alert?.id}`)
    expect(detail.body.events.at(-1)).toMatchObject({ actor: 'gw-1', action: 'resolved', detail: '老人跌倒，已扶起，无大碍' })
    expect((await gw.api('POST', `/api/v1/alerts/${alert?.id}/resolve`, { by: 'gw-1', outcome: 'other' })).status).toBe(409)
    expect((await gw.api('POST', `/api/v1/alerts/${alert?.id}/ack`, { by: 'gw-1' })).status).toBe(409)
    expect((await gw.api('GET', '/api/v1/alerts/alrt-nope')).status).toBe(404)
    expect((await gw.api<Alert[]>('GET', '/api/v1/alerts?state=open')).body).toEqual([])
    time.advance(H)
    expect(gw.sent).toHaveLength(4)
  })

  it('per-home settings are validated, audited and applied (threshold override)', async () => {
    const time = new FakeTime(T0)
    const { gw, homeId } = await setup(time)
    expect((await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: 60 * MIN, quietHours: { start: '25:00', end: '06:00' }, by: 'clerk-1' })).status).toBe(400)
    expect((await gw.api('PUT', '/api/v1/homes/no-such-home/alert-settings', { inactivityThresholdMs: null, quietHours: null, by: 'clerk-1' })).status).toBe(404)
    const put = await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: 60 * MIN, quietHours: { start: '22:00', end: '06:30' }, by: 'clerk-1' })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ inactivityThresholdMs: 60 * MIN, quietHours: { start: '22:00', end: '06:30' }, updatedBy: 'clerk-1', updatedAt: T0 })
    const got = await gw.api<{ audit: unknown[] }>('GET', `/api/v1/homes/${homeId}/alert-settings`)
    expect(got.body.audit).toEqual([{ at: T0, actor: 'clerk-1', change: { inactivityThresholdMs: 60 * MIN, quietHours: { start: '22:00', end: '06:30' }, ladder: null } }])

    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    open.push(() => sensor.endAsync(true))
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) === T0, 5000, 'activity')
    time.advance(60 * MIN)
    expect(summary(gw.sent)).toEqual([`tv:${homeId}:checkin:inactivity`])
  })

  it('a home offline for 30 min and a low battery go to the grid worker only, after the home\'s quiet hours', async () => {
    const time = new FakeTime(Date.UTC(2024, 4, 1, 14, 0)) // 22:00 village time
    const { gw, homeId } = await setup(time)
    await gw.api('PUT', `/api/v1/homes/${homeId}/alert-settings`, { inactivityThresholdMs: null, quietHours: { start: '21:30', end: '07:00' }, by: 'clerk-1' })
    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    await sensor.publishAsync(`anju/v1/dev/${creds.id}/status`, JSON.stringify({ battery: 9 }), { qos: 1 })
    await waitFor(async () => (await gw.api<Alert[]>('GET', `/api/v1/alerts?type=low_battery&homeId=${homeId}`)).body.length === 1, 5000, 'low battery alert')
    expect(gw.sent).toEqual([]) // quiet hours: nobody is woken for a battery

    await sensor.endAsync(true) // abrupt: the gateway sees the connection drop
    await waitFor(async () => (await gw.api<{ connected: boolean }>('GET', `/api/v1/devices/${creds.id}`)).body.connected === false, 5000, 'disconnect')
    time.advance(30 * MIN - 1000)
    expect((await gw.api<Alert[]>('GET', `/api/v1/alerts?type=home_offline&homeId=${homeId}`)).body).toEqual([])
    time.advance(1000)
    const [offline] = (await gw.api<Alert[]>('GET', `/api/v1/alerts?type=home_offline&homeId=${homeId}`)).body
    expect(offline).toMatchObject({ state: 'open', rung: -1, nextRungAt: Date.UTC(2024, 4, 1, 23, 0) })
    expect(gw.sent).toEqual([])

    time.advance(9 * H) // 07:30: quiet hours ended at 07:00
    expect(summary(gw.sent).sort()).toEqual(['gw-1:alert:home_offline', 'gw-1:alert:low_battery'])
    expect(gw.sent.find((n) => n.data.type === 'home_offline')?.text).toBe('【安居】山下庄 12号 的传感器自 22:00 起全部离线，请上门检查设备。')
    expect(gw.sent.some((n) => n.recipient === 'fam-1' || n.recipient.startsWith('tv:'))).toBe(false)
  })
})
