// Role and scope boundaries: the Access checks the console routes rely on, and the user-management
// routes (admin manages everyone; a clerk only family accounts of homes in their villages).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Access, type Principal } from '../../../../gateway/console/auth/principal.ts'
import { createUser, signIn } from '../../../helpers/console-session.ts'
import { seedHome, startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

describe('console roles and scope', () => {
  let gw: TestGateway
  let a: { villageId: string, gridId: string, homeId: string }
  let b: { villageId: string, gridId: string, homeId: string }
  let a2: { gridId: string, homeId: string }
  beforeAll(async () => {
    gw = await startGateway()
    a = await seedHome(gw)
    b = await seedHome(gw)
    // A second grid in village A, with its own home.
    const g = await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId: a.villageId, name: '第二网格' })
    const h = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: g.body.id, label: '山下庄 30号' })
    a2 = { gridId: g.body.id, homeId: h.body.id }
  })
  afterAll(async () => { await gw.stop() })

  const p = (role: Principal['role'], scope: Partial<Pick<Principal, 'villageIds' | 'gridIds' | 'homeIds'>> = {}): Principal =>
    ({ userId: 'u', username: 'u', role, villageIds: [], gridIds: [], homeIds: [], ...scope })

  it('lets each role see exactly its homes, grids and villages', () => {
    const access = new Access(gw.db)
    const admin = p('admin')
    const clerk = p('clerk', { villageIds: [a.villageId] })
    const reviewer = p('reviewer', { villageIds: [a.villageId] })
    const worker = p('grid_worker', { gridIds: [a.gridId] })
    const family = p('family', { homeIds: [a.homeId] })

    expect([admin, clerk, reviewer, worker, family].map((x) => access.canSeeHome(x, a.homeId))).toEqual([true, true, false, true, true])
    expect([admin, clerk, reviewer, worker, family].map((x) => access.canSeeHome(x, a2.homeId))).toEqual([true, true, false, false, false])
    expect([admin, clerk, reviewer, worker, family].map((x) => access.canSeeHome(x, b.homeId))).toEqual([true, false, false, false, false])
    expect(access.canSeeHome(admin, 'home-doesnotexist')).toBe(false)

    expect(access.homeIdsVisible(admin)).toBe('all')
    expect(new Set(access.homeIdsVisible(clerk) as string[])).toEqual(new Set([a.homeId, a2.homeId]))
    expect(access.homeIdsVisible(worker)).toEqual([a.homeId])
    expect(access.homeIdsVisible(family)).toEqual([a.homeId])
    expect(access.homeIdsVisible(reviewer)).toEqual([])

    expect([clerk, worker].map((x) => access.canSeeGrid(x, a2.gridId))).toEqual([true, false])
    expect(access.canSeeGrid(clerk, b.gridId)).toBe(false)
    // Village content: the own village, derived for grid workers and family; never another village.
    expect([clerk, reviewer, worker, family].map((x) => access.canSeeVillage(x, a.villageId))).toEqual([true, true, true, true])
    expect([clerk, reviewer, worker, family].map((x) => access.canSeeVillage(x, b.villageId))).toEqual([false, false, false, false])
    expect([admin, clerk, reviewer, worker].map((x) => access.canManageVillage(x, a.villageId))).toEqual([true, true, false, false])
    expect([admin, clerk, reviewer, worker].map((x) => access.canReviewFinance(x, a.villageId))).toEqual([true, false, true, false])

    // Out of scope is "not found", so ids cannot be probed.
    expect(() => { access.assertHome(worker, a2.homeId) }).toThrow(expect.objectContaining({ code: 'NOT_FOUND', status: 404 }))
    expect(() => { access.assertHome(worker, a.homeId) }).not.toThrow()
    expect(() => { access.assertManageVillage(reviewer, a.villageId) }).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
    expect(() => { access.assertManageVillage(clerk, b.villageId) }).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
  })

  it('audits staff views of residents\' data but not a family viewing their own home', () => {
    const access = new Access(gw.db)
    access.auditView(p('grid_worker', { gridIds: [a.gridId] }), 'home', a.homeId)
    access.auditView(p('family', { homeIds: [a.homeId] }), 'home', a.homeId)
    const rows = gw.db.prepare("SELECT actor, action FROM audit_log WHERE entity = 'home' AND entity_id = ? AND action = 'view'").all(a.homeId)
    expect(rows).toEqual([{ actor: 'user:u', action: 'view' }])
  })

  it('signs in a grid worker with their scope and keeps them out of user management', async () => {
    const creds = await createUser(gw, { role: 'grid_worker', scope: { gridIds: [a.gridId] } })
    const worker = await signIn(gw, creds.username, creds.password)
    expect(worker.user.scope).toEqual({ villageIds: [], gridIds: [a.gridId], homeIds: [] })
    const list = await worker.get('/users')
    expect(list.status).toBe(403)
    expect(list.body.error).toBe('FORBIDDEN')
    expect((await worker.post('/users', { username: 'x-user', displayName: 'x', role: 'family', scope: { homeIds: [a.homeId] } })).status).toBe(403)
  })

  it('lets a clerk manage family accounts of their village only', async () => {
    const clerkCreds = await createUser(gw, { role: 'clerk', scope: { villageIds: [a.villageId] } })
    const clerk = await signIn(gw, clerkCreds.username, clerkCreds.password)
    const created = await clerk.post('/users', { username: '李女儿', displayName: '李女儿', role: 'family', scope: { homeIds: [a.homeId] } })
    expect(created.status).toBe(201)
    expect(created.body.oneTimePassword).toMatch(/^[a-z2-9-]{19}$/)
    expect(created.body.user).toMatchObject({ role: 'family', mustChangePassword: true, scope: { homeIds: [a.homeId] } })

    expect((await clerk.post('/users', { username: 'other-fam', displayName: 'x', role: 'family', scope: { homeIds: [b.homeId] } })).status).toBe(403)
    expect((await clerk.post('/users', { username: 'new-clerk', displayName: 'x', role: 'clerk', scope: { villageIds: [a.villageId] } })).status).toBe(403)

    const otherFamily = await createUser(gw, { role: 'family', scope: { homeIds: [b.homeId] } })
    const admin = await createUser(gw, { role: 'admin' })
    const listed = (await clerk.get('/users')).body.users as Array<{ id: string }>
    expect(listed.map((u) => u.id)).toEqual([created.body.user.id])
    expect((await clerk.post(`/users/${otherFamily.id}/reset-password`)).status).toBe(404)
    expect((await clerk.patch(`/users/${admin.id}`, { disabled: true })).status).toBe(404)
    // ...nor widen a family account beyond the village, nor turn it into staff.
    expect((await clerk.patch(`/users/${created.body.user.id}`, { scope: { homeIds: [b.homeId] } })).status).toBe(403)
    expect((await clerk.patch(`/users/${created.body.user.id}`, { role: 'clerk', scope: { villageIds: [a.villageId] } })).status).toBe(403)

    // The family member signs in with the one-time password and must change it first.
    const family = await signIn(gw, '李女儿', created.body.oneTimePassword)
    expect(family.user.mustChangePassword).toBe(true)
    const audit = gw.db.prepare("SELECT actor FROM audit_log WHERE action = 'create' AND entity = 'user' AND entity_id = ?").get(created.body.user.id)
    expect(audit).toEqual({ actor: `user:${clerkCreds.id}` })
  })

  it('validates a new user\'s scope against the role', async () => {
    const adminCreds = await createUser(gw, { role: 'admin' })
    const admin = await signIn(gw, adminCreds.username, adminCreds.password)
    const noScope = await admin.post('/users', { username: 'clerk-none', displayName: 'x', role: 'clerk' })
    expect(noScope.status).toBe(400)
    const wrongKind = await admin.post('/users', { username: 'gw-wrong', displayName: 'x', role: 'grid_worker', scope: { villageIds: [a.villageId] } })
    expect(wrongKind.status).toBe(400)
    const unknown = await admin.post('/users', { username: 'fam-unknown', displayName: 'x', role: 'family', scope: { homeIds: ['home-nope'] } })
    expect(unknown.status).toBe(400)
    const ok = await admin.post('/users', { username: 'reviewer-a', displayName: '监委会 张', role: 'reviewer', scope: { villageIds: [a.villageId] } })
    expect(ok.status).toBe(201)
    expect((await admin.post('/users', { username: 'Reviewer-A', displayName: 'dup', role: 'admin' })).status).toBe(409)
    // A role change takes effect on the user's very next request.
    const reviewer = await signIn(gw, 'reviewer-a', ok.body.oneTimePassword)
    await reviewer.post('/session/password', { current: ok.body.oneTimePassword, next: 'a long enough passphrase' })
    expect((await reviewer.get('/users')).status).toBe(403)
    await admin.patch(`/users/${ok.body.user.id}`, { role: 'clerk' })
    expect((await reviewer.get('/session')).body.user.role).toBe('clerk')
    expect((await reviewer.get('/users')).status).toBe(200)
  })

  it('shows the audit log to admins only, newest first', async () => {
    const adminCreds = await createUser(gw, { role: 'admin' })
    const admin = await signIn(gw, adminCreds.username, adminCreds.password)
    const created = await admin.post('/users', { username: 'audited-fam', displayName: 'x', role: 'family', scope: { homeIds: [a.homeId] } })
    const page = await admin.get(`/audit?entity=user&entityId=${created.body.user.id}`)
    expect(page.status).toBe(200)
    expect(page.body.entries[0]).toMatchObject({ actor: `user:${adminCreds.id}`, action: 'create', entity: 'user', entityId: created.body.user.id })
    expect(JSON.stringify(page.body)).not.toContain(created.body.oneTimePassword)
    const logins = await admin.get(`/audit?actor=user:${adminCreds.id}&limit=1`)
    expect(logins.body.entries).toHaveLength(1)
    const clerkCreds = await createUser(gw, { role: 'clerk', scope: { villageIds: [a.villageId] } })
    const clerk = await signIn(gw, clerkCreds.username, clerkCreds.password)
    expect((await clerk.get('/audit')).status).toBe(403)
  })
})
