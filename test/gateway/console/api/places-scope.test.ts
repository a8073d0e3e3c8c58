// Role and scope boundaries of places, devices and screens over real HTTP: what is outside a user's
// scope is 404 (not 403, so ids cannot be probed), what is inside but not their role's is 403, and
// every write and every staff view of a resident's data lands in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'
import { makeWorld, type World } from './console-world.ts'

let gw: TestGateway
let w: World
beforeAll(async () => { gw = await startGateway(); w = await makeWorld(gw) })
afterAll(async () => { await gw?.stop() })

const auditRows = (entity: string, entityId: string): Array<{ actor: string, action: string }> =>
  gw.db.prepare('SELECT actor, action FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id').all(entity, entityId) as Array<{ actor: string, action: string }>

describe('console places by scope', () => {
  it('a grid worker sees the homes of their grid only; another grid\'s home, residents and contacts are 404', async () => {
    const worker = await w.as('grid_worker', { gridIds: [w.a.grids[0]] })
    const homes = await worker.get('/homes')
    expect(homes.status).toBe(200)
    expect(homes.body.map((h: { id: string }) => h.id)).toEqual([w.a.homes[0]])
    expect((await worker.get(`/homes/${w.a.homes[0]}`)).status).toBe(200)
    for (const id of [w.a.homes[1], w.b.homes[0], 'home-nope']) {
      expect((await worker.get(`/homes/${id}`)).status).toBe(404)
      expect((await worker.get(`/homes/${id}/residents`)).status).toBe(404)
      expect((await worker.get(`/homes/${id}/contacts`)).status).toBe(404)
      expect((await worker.get(`/homes/${id}/status`)).status).toBe(404)
    }
    // Their own home's residents: visible, and the view is audited.
    const res = await worker.get(`/homes/${w.a.homes[0]}/residents`)
    expect(res.body).toEqual([expect.objectContaining({ name: '王阿婆' })])
    expect(auditRows('residents', w.a.homes[0])).toContainEqual({ actor: `user:${worker.user.id}`, action: 'view' })
    // Read only: a grid worker manages nothing.
    expect((await worker.post('/homes', { gridId: w.a.grids[0], label: '新房' })).status).toBe(403)
  })

  it('a family member sees only their elder\'s home; a reviewer sees no residents at all', async () => {
    const family = await w.as('family', { homeIds: [w.a.homes[0]] })
    expect((await family.get('/homes')).body.map((h: { id: string }) => h.id)).toEqual([w.a.homes[0]])
    expect((await family.get(`/homes/${w.a.homes[1]}`)).status).toBe(404)
    expect((await family.get(`/homes/${w.a.homes[0]}/residents`)).status).toBe(200)
    const mine = await family.get('/my/homes')
    expect(mine.status).toBe(200)
    expect(mine.body).toEqual([expect.objectContaining({ homeId: w.a.homes[0], care: expect.objectContaining({ status: 'no_data' }) })])
    // Family viewing their own elder is not a staff view: not audited as one.
    expect(auditRows('residents', w.a.homes[0]).filter((r) => r.actor === `user:${family.user.id}`)).toEqual([])

    const reviewer = await w.as('reviewer', { villageIds: [w.a.id] })
    expect((await reviewer.get('/homes')).body).toEqual([])
    expect((await reviewer.get(`/homes/${w.a.homes[0]}/residents`)).status).toBe(403)
  })

  it('a clerk manages their village: homes, residents, contacts and their escalation order; another village is 404', async () => {
    const clerk = await w.as('clerk', { villageIds: [w.a.id] })
    expect((await clerk.get('/villages')).body.map((v: { id: string }) => v.id)).toEqual([w.a.id])
    const home = await clerk.post('/homes', { gridId: w.a.grids[1], label: '山下庄 30号' })
    expect(home.status).toBe(201)
    expect(auditRows('home', home.body.id)).toEqual([{ actor: `user:${clerk.user.id}`, action: 'create' }])
    expect((await clerk.post('/homes', { gridId: w.b.grids[0], label: '横街 9号' })).status).toBe(404)
    expect((await clerk.patch(`/homes/${w.b.homes[0]}`, { label: 'x' })).status).toBe(404)

    const c1 = await clerk.post('/contacts', { homeId: home.body.id, name: '王大儿子', phone: '13800000001', role: 'family', priority: 0 })
    const c2 = await clerk.post('/contacts', { homeId: home.body.id, name: '王小女儿', phone: '13800000002', role: 'family', priority: 1 })
    expect([c1.status, c2.status]).toEqual([201, 201])
    // The daughter answers faster: move her first.
    expect((await clerk.patch(`/contacts/${c2.body.id}`, { priority: 0 })).status).toBe(200)
    expect((await clerk.patch(`/contacts/${c1.body.id}`, { priority: 1 })).body.priority).toBe(1)
    const ladder = await clerk.get(`/homes/${home.body.id}/contacts`)
    expect(ladder.body.filter((c: { role: string }) => c.role === 'family').map((c: { name: string }) => c.name)).toEqual(['王小女儿', '王大儿子'])
    expect(auditRows('contact', c2.body.id).map((r) => r.action)).toEqual(['create', 'update'])

    const other = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await other.patch(`/contacts/${c1.body.id}`, { priority: 5 })).status).toBe(404)
    expect((await other.delete(`/contacts/${c1.body.id}`)).status).toBe(404)
    expect((await other.post('/contacts', { homeId: home.body.id, name: 'x', phone: '13800000003', role: 'family' })).status).toBe(404)

    const resident = await clerk.post('/residents', { homeId: home.body.id, name: '王阿公' })
    expect(resident.status).toBe(201)
    expect((await other.delete(`/residents/${resident.body.id}`)).status).toBe(404)
    expect((await clerk.delete(`/residents/${resident.body.id}`)).status).toBe(204)
  })
})

describe('console devices and screens by scope', () => {
  it('registers a sensor with the secret and a QR label once; health lists stay within scope; revoke and rotate', async () => {
    const clerk = await w.as('clerk', { villageIds: [w.a.id] })
    const reg = await clerk.post(`/homes/${w.a.homes[0]}/devices`, { kind: 'sensor', room: '卧室' })
    expect(reg.status).toBe(201)
    expect(reg.body.secret).toMatch(/^\S{32,}$/)
    expect(reg.body.provisioning).toMatch(/^anju:\/\/provision\?/)
    const q = new URLSearchParams(reg.body.provisioning.split('?')[1])
    expect(q.get('id')).toBe(reg.body.id)
    expect(q.get('secret')).toBe(reg.body.secret)
    expect(q.get('mqtt')).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/)
    expect(reg.body.qrSvg).toMatch(/^<svg[^>]+viewBox/)
    // The audit row names the device, never the secret.
    const audit = gw.db.prepare("SELECT detail FROM audit_log WHERE entity = 'device' AND entity_id = ?").get(reg.body.id) as { detail: string }
    expect(audit.detail).not.toContain(reg.body.secret)

    const list = await clerk.get('/devices')
    expect(list.body.devices.map((d: { id: string }) => d.id)).toEqual([reg.body.id])
    expect(JSON.stringify(list.body)).not.toContain(reg.body.secret)
    expect(list.body.summary).toMatchObject({ total: 1, revoked: 0, dropped: 0 })

    const worker = await w.as('grid_worker', { gridIds: [w.a.grids[1]] })
    expect((await worker.get('/devices')).body.devices).toEqual([])
    const otherClerk = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await otherClerk.post(`/devices/${reg.body.id}/revoke`)).status).toBe(404)
    expect((await otherClerk.post(`/homes/${w.a.homes[0]}/devices`, { kind: 'hub' })).status).toBe(404)

    const rotated = await clerk.post(`/devices/${reg.body.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).not.toBe(reg.body.secret)
    const revoked = await clerk.post(`/devices/${reg.body.id}/revoke`)
    expect(revoked.body.revokedAt).not.toBeNull()
    expect((await clerk.get('/devices')).body.summary).toMatchObject({ total: 0, revoked: 1 })
  })

  it('pairs a TV screen by its code to a home in scope, lists and revokes it; other villages are 404', async () => {
    const clerk = await w.as('clerk', { villageIds: [w.a.id] })
    const start = await fetch(`${gw.urls.http}/tv/api/pair/start`, { method: 'POST' })
    const { code } = await start.json() as { code: string }
    const otherClerk = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await otherClerk.post('/screens/pair', { code, homeId: w.a.homes[0] })).status).toBe(404)
    const paired = await clerk.post('/screens/pair', { code, homeId: w.a.homes[0] })
    expect(paired.status).toBe(201)
    expect(paired.body).toMatchObject({ villageId: w.a.id, homeId: w.a.homes[0], pairedBy: `user:${clerk.user.id}` })
    expect((await clerk.get('/screens')).body.map((s: { id: string }) => s.id)).toContain(paired.body.id)
    expect((await otherClerk.get('/screens')).body).toEqual([])
    expect((await otherClerk.delete(`/screens/${paired.body.id}`)).status).toBe(404)
    expect((await clerk.delete(`/screens/${paired.body.id}`)).body.revokedAt).not.toBeNull()
    expect((await clerk.post('/screens/pair', { code: '000000', villageId: w.a.id })).status).toBe(404)
  })
})
