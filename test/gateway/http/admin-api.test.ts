// The admin HTTP API as a provisioning tool sees it: auth, validation, references, errors, docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { closed, connectDevice } from '../../helpers/mqtt-client.ts'

describe('admin HTTP API', () => {
  let gw: TestGateway
  let ids: Awaited<ReturnType<typeof seedHome>>

  beforeAll(async () => {
    gw = await startGateway()
    ids = await seedHome(gw)
  })
  afterAll(async () => { await gw.stop() })

  it('refuses requests without the bearer token or with a wrong one', async () => {
    expect((await gw.http.inject({ url: '/api/v1/villages' })).statusCode).toBe(401)
    expect((await gw.http.inject({ url: '/api/v1/villages', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401)
    expect((await gw.http.inject({ url: '/api/v1/villages', headers: { authorization: `Basic ${gw.adminToken}` } })).statusCode).toBe(401)
  })

  it('answers health, readiness and metrics without a token', async () => {
    expect((await gw.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await gw.http.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' })
    expect((await gw.http.inject({ url: '/metrics' })).body).toContain('anju_mqtt_connected_devices{kind="sensor"} 0')
  })

  it('validates input with a readable message per field', async () => {
    const res = await gw.api<{ error: string, details: Array<{ path: string }> }>('POST', '/api/v1/homes', { gridId: 'Not An Id!', label: '' })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('INVALID_INPUT')
    expect(res.body.details.map((d) => d.path).sort()).toEqual(['/gridId', '/label'])
  })

  it('refuses control characters in names and labels', async () => {
    expect((await gw.api('POST', '/api/v1/villages', { name: '山下\u001b[31m庄' })).status).toBe(400)
  })

  it('refuses references to records that do not exist', async () => {
    expect((await gw.api('POST', '/api/v1/devices', { homeId: 'home-missing' })).status).toBe(404)
    expect((await gw.api('POST', '/api/v1/homes', { gridId: 'grid-missing', label: 'x' })).status).toBe(404)
    expect((await gw.api('GET', '/api/v1/devices/dev-missing')).status).toBe(404)
  })

  it('refuses a duplicate id with 409', async () => {
    expect((await gw.api('POST', '/api/v1/villages', { id: 'xiazhuang', name: '下庄' })).status).toBe(201)
    expect((await gw.api('POST', '/api/v1/villages', { id: 'xiazhuang', name: '下庄' })).status).toBe(409)
  })

  it('keeps a contact attached to exactly one of home, grid or village', async () => {
    const ok = await gw.api('POST', '/api/v1/contacts', { homeId: ids.homeId, name: '李小红', phone: '13800138000', role: 'family' })
    expect(ok.status).toBe(201)
    const both = await gw.api('POST', '/api/v1/contacts', { homeId: ids.homeId, gridId: ids.gridId, name: '王', phone: '13800138000', role: 'family' })
    expect(both.status).toBe(400)
  })

  it('deletes a resident (privacy) and lists the rest', async () => {
    const r = await gw.api<{ id: string }>('POST', '/api/v1/residents', { homeId: ids.homeId, name: '张大爷', birthYear: 1941 })
    expect(r.status).toBe(201)
    expect((await gw.api('DELETE', `/api/v1/residents/${r.body.id}`)).status).toBe(204)
    expect((await gw.api<unknown[]>('GET', `/api/v1/residents?homeId=${ids.homeId}`)).body).toEqual([])
    expect((await gw.api('DELETE', `/api/v1/residents/${r.body.id}`)).status).toBe(404)
  })

  it('moves a device between homes: its home comes from the registry, not the topic', async () => {
    const other = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: ids.gridId, label: '山下庄 13号' })
    const device = await addDevice(gw, ids.homeId)
    const before = await connectDevice(gw.urls.mqtt, device)
    const gone = closed(before)
    const moved = await gw.api<{ homeId: string }>('POST', `/api/v1/devices/${device.id}/move`, { homeId: other.body.id })
    expect(moved.body.homeId).toBe(other.body.id)
    await gone // moved devices reconnect, so nothing cached under the old home survives
    const homes: string[] = []
    gw.bus.on('activity', (e) => { if (e.deviceId === device.id) homes.push(e.homeId) })
    const after = await connectDevice(gw.urls.mqtt, device)
    await after.publishAsync(`anju/v1/dev/${device.id}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
    expect(homes).toEqual([other.body.id])
    await after.endAsync()
    before.end(true)
  })

  it('publishes an OpenAPI document with the admin routes at /docs/json', async () => {
    const doc = (await gw.http.inject({ url: '/docs/json' })).json() as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/devices', '/api/v1/hubs', '/api/v1/villages', '/api/v1/homes', '/healthz']))
    expect((await gw.http.inject({ url: '/docs' })).statusCode).toBeLessThan(400)
  })
})
