// The closed loop from the console: a grid worker sees the open alerts of their grid newest first and
// nothing of another grid (404), a family member only their elder's and may acknowledge but not close,
// the timeline shows who was told and who answered, and away mode is per home in scope. Real gateway,
// real sensors over MQTT, fake time for the inactivity rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeTime } from '../../../helpers/fake-time.ts'
import { connectDevice, waitFor } from '../../../helpers/mqtt-client.ts'
import { addDevice } from '../../../helpers/start-gateway.ts'
import { risingEdges, startAlertGateway, type AlertGateway } from '../../alerts/alert-gateway.ts'
import { makeWorld, type World } from './console-world.ts'
import type { MqttClient } from 'mqtt'

const MIN = 60_000
const T0 = Date.UTC(2024, 4, 1, 1, 42) // 09:42 village time: daytime, the 3 h cold-start threshold
const time = new FakeTime(T0)
let gw: AlertGateway
let w: World
const sensors: MqttClient[] = []
const alertIds: Record<string, string> = {}

beforeAll(async () => {
  gw = await startAlertGateway(time, undefined, { realOutbox: true })
  w = await makeWorld(gw)
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-a1', homeId: w.a.homes[0], name: '王小明', phone: '13800000001', role: 'family' })
  for (const [i, homeId] of [w.a.homes[0], w.a.homes[1]].entries()) {
    const creds = await addDevice(gw, homeId)
    const sensor = await connectDevice(gw.urls.mqtt, creds)
    sensors.push(sensor)
    await risingEdges(sensor, creds.id)
    await waitFor(() => gw.alerts.lastActivity(homeId) !== null, 5000, 'activity')
    if (i === 0) time.advance(10 * MIN)
  }
  // Home 1 falls silent first, so its alert is the older one.
  time.advance(3 * 60 * MIN + 5 * MIN)
  for (const homeId of [w.a.homes[0], w.a.homes[1]]) {
    const a = gw.alerts.openAlertOf(homeId, 'inactivity')
    if (a === undefined) throw new Error(`no inactivity alert for ${homeId}`)
    alertIds[homeId] = a.id
  }
})
afterAll(async () => {
  await Promise.all(sensors.map((s) => s.endAsync(true)))
  await gw?.stop()
})

describe('console alerts', () => {
  it('a grid worker sees their grid\'s open alerts only; another grid\'s alert is 404 to read, ack or resolve', async () => {
    const worker = await w.as('grid_worker', { gridIds: [w.a.grids[0]] })
    const list = await worker.get('/alerts')
    expect(list.status).toBe(200)
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([alertIds[w.a.homes[0]]])
    expect(list.body[0]).toMatchObject({ homeLabel: '山下庄村 1号', gridId: w.a.grids[0], type: 'inactivity' })
    const other = alertIds[w.a.homes[1]]
    expect((await worker.get(`/alerts/${other}`)).status).toBe(404)
    expect((await worker.post(`/alerts/${other}/ack`)).status).toBe(404)
    expect((await worker.post(`/alerts/${other}/resolve`, { outcome: 'resident_ok' })).status).toBe(404)
    expect((await worker.get(`/alerts?homeId=${w.a.homes[1]}`)).body).toEqual([])

    const both = await w.as('grid_worker', { gridIds: [w.a.grids[0], w.a.grids[1]] })
    expect((await both.get('/alerts')).body.map((a: { homeId: string }) => a.homeId)).toEqual([w.a.homes[1], w.a.homes[0]])
    const villageB = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await villageB.get('/alerts')).body).toEqual([])
  })

  it('family acknowledge their elder\'s alert but cannot close it; the worker records the visit; the timeline tells who did what', async () => {
    const id = alertIds[w.a.homes[0]] as string
    const family = await w.as('family', { homeIds: [w.a.homes[0]] })
    expect((await family.get('/alerts')).body.map((a: { id: string }) => a.id)).toEqual([id])
    expect((await family.get(`/alerts/${alertIds[w.a.homes[1]]}`)).status).toBe(404)
    const ack = await family.post(`/alerts/${id}/ack`)
    expect(ack.status).toBe(200)
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: `user:${family.user.id}` })
    expect((await family.post(`/alerts/${id}/resolve`, { outcome: 'resident_ok' })).status).toBe(403)

    const worker = await w.as('grid_worker', { gridIds: [w.a.grids[0]] })
    const closed = await worker.post(`/alerts/${id}/resolve`, { outcome: 'helped_at_home', note: '老人跌倒，已扶起，无大碍' })
    expect(closed.body).toMatchObject({ state: 'resolved', resolvedBy: `user:${worker.user.id}`, outcome: 'helped_at_home', note: '老人跌倒，已扶起，无大碍' })
    expect((await worker.post(`/alerts/${id}/resolve`, { outcome: 'other' })).status).toBe(409)
    expect((await worker.get('/alerts')).body).toEqual([])
    expect((await worker.get('/alerts?state=resolved')).body.map((a: { id: string }) => a.id)).toEqual([id])

    const timeline = await worker.get(`/alerts/${id}`)
    expect(timeline.status).toBe(200)
    expect(timeline.body.events.map((e: { action: string, actor: string }) => `${e.action}:${e.actor}`)).toEqual(expect.arrayContaining([
      `acknowledged:user:${family.user.id}`, `resolved:user:${worker.user.id}`
    ]))
    // Who was told: the home's own TV first (the check-in), each a row of the outbox.
    expect(timeline.body.notifications[0]).toMatchObject({ recipient: `tv:${w.a.homes[0]}`, kind: 'checkin' })
    const views = gw.db.prepare("SELECT actor FROM audit_log WHERE entity = 'alert' AND entity_id = ? AND action = 'view'").all(id)
    expect(views).toEqual([{ actor: `user:${worker.user.id}` }])
    const writes = gw.db.prepare("SELECT action FROM audit_log WHERE entity = 'alert' AND entity_id = ? AND action != 'view' ORDER BY id").all(id)
    expect(writes).toEqual([{ action: 'acknowledge' }, { action: 'resolve' }])
  })

  it('away mode per home in scope, bounded to 60 days', async () => {
    const family = await w.as('family', { homeIds: [w.a.homes[0]] })
    const now = time.now()
    const away = await family.post(`/homes/${w.a.homes[0]}/away`, { until: now + 3 * 86_400_000 })
    expect(away.status).toBe(200)
    expect(away.body).toMatchObject({ homeId: w.a.homes[0], awayUntil: now + 3 * 86_400_000, updatedBy: `user:${family.user.id}` })
    expect((await family.post(`/homes/${w.a.homes[1]}/away`, { until: now + 86_400_000 })).status).toBe(404)
    expect((await family.post(`/homes/${w.a.homes[0]}/away`, { until: now + 90 * 86_400_000 })).status).toBe(400)
    const status = await family.get(`/homes/${w.a.homes[0]}/status`)
    expect(status.body.care).toMatchObject({ status: 'away', awayUntil: now + 3 * 86_400_000 })
    expect((await family.post(`/homes/${w.a.homes[0]}/away`, { until: null })).body.awayUntil).toBeNull()
  })
})
