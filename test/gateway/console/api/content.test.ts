// Village content from the console: clerks publish in their own village, reviewers read, an emergency
// broadcast needs admin or that village's clerk and confirm: true (and is audited), and a scheduled
// notice is announced to the screens by the once-a-minute job when it starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NoticeSchedule } from '../../../../gateway/console/api/notice-schedule.ts'
import { createLogger } from '../../../../gateway/logger.ts'
import type { ConsoleClient } from '../../../helpers/console-session.ts'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'
import { makeWorld, type World } from './console-world.ts'

let gw: TestGateway
let w: World
let clerk: ConsoleClient
beforeAll(async () => {
  gw = await startGateway()
  w = await makeWorld(gw)
  clerk = await w.as('clerk', { villageIds: [w.a.id] })
})
afterAll(async () => { await gw?.stop() })

const broadcast = { kind: 'typhoon', title: '台风"梅花"将于今晚登陆', body: '请关好门窗，不要外出。' }

describe('console content', () => {
  it('an emergency broadcast needs confirm: true and admin or the village\'s clerk; it is audited with the principal', async () => {
    const noConfirm = await clerk.post('/broadcasts', { ...broadcast, villageId: w.a.id })
    expect(noConfirm.status).toBe(400)
    expect(JSON.stringify(noConfirm.body)).toMatch(/confirm/)
    expect((await clerk.post('/broadcasts', { ...broadcast, villageId: w.a.id, confirm: false })).status).toBe(400)
    const reviewer = await w.as('reviewer', { villageIds: [w.a.id] })
    expect((await reviewer.post('/broadcasts', { ...broadcast, villageId: w.a.id, confirm: true })).status).toBe(403)
    const worker = await w.as('grid_worker', { gridIds: [w.a.grids[0]] })
    expect((await worker.post('/broadcasts', { ...broadcast, villageId: w.a.id, confirm: true })).status).toBe(403)
    const otherClerk = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await otherClerk.post('/broadcasts', { ...broadcast, villageId: w.a.id, confirm: true })).status).toBe(404)
    // A `by` in the body is not who acts: the session is.
    const started = await clerk.post('/broadcasts', { ...broadcast, villageId: w.a.id, confirm: true, by: 'someone-else' })
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({ active: true, createdBy: `user:${clerk.user.id}` })
    expect(gw.content.tvContent(w.a.id, null).broadcast?.id).toBe(started.body.id)
    const audit = gw.db.prepare("SELECT actor, action FROM audit_log WHERE entity = 'broadcast' AND entity_id = ?").all(started.body.id)
    expect(audit).toEqual([{ actor: `user:${clerk.user.id}`, action: 'start' }])
    expect((await otherClerk.post(`/broadcasts/${started.body.id}/end`, { confirm: true })).status).toBe(404)
    expect((await clerk.post(`/broadcasts/${started.body.id}/end`, {})).status).toBe(400)
    expect((await clerk.post(`/broadcasts/${started.body.id}/end`, { confirm: true })).body.active).toBe(false)
  })

  it('notices, meetings and care visits: the clerk writes, the reviewer reads, other villages are 404', async () => {
    const notice = await clerk.post('/notices', { villageId: w.a.id, category: 'party', title: '主题党日活动通知', body: '本周五下午两点在村委会开展主题党日活动。' })
    expect(notice.status).toBe(201)
    expect(notice.body).toMatchObject({ status: 'displayed', createdBy: `user:${clerk.user.id}` })
    const reviewer = await w.as('reviewer', { villageIds: [w.a.id] })
    expect((await reviewer.get(`/notices?villageId=${w.a.id}`)).body.map((n: { id: string }) => n.id)).toContain(notice.body.id)
    expect((await reviewer.post(`/notices/${notice.body.id}/withdraw`, {})).status).toBe(403)
    const otherClerk = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await otherClerk.get(`/notices?villageId=${w.a.id}`)).status).toBe(404)
    expect((await otherClerk.post(`/notices/${notice.body.id}/withdraw`, {})).status).toBe(404)
    expect((await clerk.post(`/notices/${notice.body.id}/withdraw`, { reason: '时间变更' })).body.status).toBe('withdrawn')
    // The domain's own refinements still apply to a console body.
    const now = Date.now()
    expect((await clerk.post('/notices', { villageId: w.a.id, category: 'safety', title: 't', body: 'b', startsAt: now + 60_000, endsAt: now })).status).toBe(400)

    const meeting = await clerk.post('/meetings', { villageId: w.a.id, kind: 'theme_day', title: '主题党日', startsAt: now + 86_400_000, place: '村委会' })
    expect(meeting.status).toBe(201)
    expect((await otherClerk.post(`/meetings/${meeting.body.id}/cancel`)).status).toBe(404)
    expect((await clerk.post(`/meetings/${meeting.body.id}/cancel`)).body.cancelledAt).not.toBeNull()
    const visit = await clerk.post('/care-visits', { villageId: w.a.id, startsAt: now + 86_400_000, team: '镇卫生院家庭医生团队', place: '村卫生室' })
    expect(visit.status).toBe(201)
    expect((await reviewer.get(`/care-visits?villageId=${w.a.id}`)).body).toHaveLength(1)
  })

  it('a scheduled notice is announced to the village\'s screens by the minute job once it starts', async () => {
    const startsAt = Date.now() + 90_000
    const res = await clerk.post('/notices', { villageId: w.a.id, category: 'safety', title: '防汛演练', body: '明天上午九点防汛演练。', startsAt })
    expect(res.body.status).toBe('scheduled')
    expect(gw.content.tvContent(w.a.id, null).notices.map((n) => n.id)).not.toContain(res.body.id)
    let now = Date.now()
    const announced: string[] = []
    const job = new NoticeSchedule({ db: gw.db, clock: { now: () => now }, log: createLogger('silent'), announce: (v) => announced.push(v) })
    expect(job.tick()).toEqual([])
    now = startsAt + 1_000
    expect(job.tick()).toEqual([w.a.id])
    expect(job.tick()).toEqual([]) // once, not every minute after
    expect(announced).toEqual([w.a.id])
  })
})
