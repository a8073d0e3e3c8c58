// Notices as a village screen sees them: published now, scheduled for later, only for one grid,
// withdrawn; and the clerk's view of the same (update before start, 409 after, audit trail).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { tvNotice } from '../../../src/tv/tv-api.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const HOUR = 3_600_000
const notice = (villageId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  villageId, category: 'safety', title: '防台防汛安全提醒', body: '台风“梅花”预计明日登陆,请提前加固门窗。\n低洼地带住户请做好转移准备。', by: 'clerk-wang', ...extra
})

describe('content: notices', () => {
  let gw: TestGateway
  let time: FakeTime
  let ids: Awaited<ReturnType<typeof seedHome>>
  let otherGrid: string

  beforeAll(async () => {
    time = new FakeTime(Date.UTC(2026, 6, 1, 2))
    gw = await startGateway({}, time)
    ids = await seedHome(gw)
    otherGrid = (await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId: ids.villageId, name: '第二网格' })).body.id
  })
  afterAll(async () => { await gw.stop() })

  const tvTitles = (gridId: string | null): string[] => gw.content.tvContent(ids.villageId, gridId).notices.map((n) => n.title)

  it('a published notice appears on the village screens, in the TV contract shape', async () => {
    const res = await gw.api<{ id: string, status: string }>('POST', '/api/v1/content/notices', notice(ids.villageId, {
      title: '用电安全须知', images: [{ url: '/tv/img/power.jpg', caption: '不要私拉乱接电线' }]
    }))
    expect(res.status).toBe(201)
    expect(res.body.status).toBe('displayed')
    const shown = gw.content.tvContent(ids.villageId, null).notices
    expect(shown.map((n) => n.title)).toContain('用电安全须知')
    expect(() => z.array(tvNotice).parse(shown)).not.toThrow()
  })

  it('a scheduled notice stays off screens until its start, then appears', async () => {
    const startsAt = time.now() + 2 * HOUR
    const res = await gw.api<{ id: string, status: string }>('POST', '/api/v1/content/notices', notice(ids.villageId, { title: '七一主题党日通知', category: 'party', publishAt: startsAt }))
    expect(res.body.status).toBe('scheduled')
    expect(tvTitles(null)).not.toContain('七一主题党日通知')
    time.advance(2 * HOUR - 1)
    expect(tvTitles(null)).not.toContain('七一主题党日通知')
    time.advance(1)
    expect(tvTitles(null)).toContain('七一主题党日通知')
  })

  it('an urgent notice comes first; a notice with an end leaves screens at its end', async () => {
    await gw.api('POST', '/api/v1/content/notices', notice(ids.villageId, { title: '紧急:山塘水位超警', priority: 'urgent', endsAt: time.now() + HOUR }))
    expect(tvTitles(null)[0]).toBe('紧急:山塘水位超警')
    time.advance(HOUR)
    expect(tvTitles(null)).not.toContain('紧急:山塘水位超警')
  })

  it('a grid-targeted notice reaches only screens of that grid', async () => {
    await gw.api('POST', '/api/v1/content/notices', notice(ids.villageId, { title: '第一网格停水通知', gridId: ids.gridId }))
    expect(tvTitles(ids.gridId)).toContain('第一网格停水通知')
    expect(tvTitles(otherGrid)).not.toContain('第一网格停水通知')
    expect(tvTitles(null)).not.toContain('第一网格停水通知')
    expect(gw.content.tvContent(ids.villageId, ids.gridId).notices.find((n) => n.title === '第一网格停水通知')?.target).toBe('grid')
  })

  it('a withdrawn notice disappears; withdrawing twice is 409', async () => {
    const { body } = await gw.api<{ id: string }>('POST', '/api/v1/content/notices', notice(ids.villageId, { title: '谨防电信诈骗' }))
    expect(tvTitles(null)).toContain('谨防电信诈骗')
    const res = await gw.api<{ status: string }>('POST', `/api/v1/content/notices/${body.id}/withdraw`, { by: 'clerk-wang', reason: '内容有误' })
    expect(res.body.status).toBe('withdrawn')
    expect(tvTitles(null)).not.toContain('谨防电信诈骗')
    expect((await gw.api('POST', `/api/v1/content/notices/${body.id}/withdraw`, { by: 'clerk-wang' })).status).toBe(409)
  })

  it('a notice can be edited before it starts, not after (409)', async () => {
    const { body } = await gw.api<{ id: string }>('POST', '/api/v1/content/notices', notice(ids.villageId, { title: '党课预告', startsAt: time.now() + HOUR }))
    const edited = await gw.api<{ title: string }>('PATCH', `/api/v1/content/notices/${body.id}`, { title: '党课预告(更正时间)', by: 'clerk-wang' })
    expect(edited.body.title).toBe('党课预告(更正时间)')
    time.advance(HOUR)
    expect(tvTitles(null)).toContain('党课预告(更正时间)')
    expect((await gw.api('PATCH', `/api/v1/content/notices/${body.id}`, { title: 'x', by: 'clerk-wang' })).status).toBe(409)
  })

  it('refuses bad input with a field-level 400 and unknown villages with 404', async () => {
    const bad = await gw.api<{ details: Array<{ path: string }> }>('POST', '/api/v1/content/notices', notice(ids.villageId, {
      title: '标题\u001b[31m', images: [{ url: 'https://evil.example/x.png', caption: '图' }], category: 'gossip'
    }))
    expect(bad.status).toBe(400)
    expect(bad.body.details.map((d) => d.path).sort()).toEqual(['/category', '/images/0/url', '/title'])
    expect((await gw.api('POST', '/api/v1/content/notices', notice('vil-missing'))).status).toBe(404)
    expect((await gw.api('POST', '/api/v1/content/notices', notice(ids.villageId, { gridId: 'grid-elsewhere' }))).status).toBe(404)
  })

  it('documents the content API in the OpenAPI description', async () => {
    const doc = (await gw.http.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/v1/content/notices', '/api/v1/content/broadcasts', '/api/v1/content/finance/statements/{id}/entries', '/api/v1/content/finance/chain'
    ]))
  })

  it('lists every notice of the village for the console and audits each write', async () => {
    const list = await gw.api<Array<{ status: string }>>('GET', `/api/v1/content/notices?villageId=${ids.villageId}`)
    expect(new Set(list.body.map((n) => n.status))).toEqual(new Set(['displayed', 'ended', 'withdrawn']))
    const audit = gw.content.db.prepare("SELECT actor, action FROM audit_log WHERE entity = 'notice'").all() as Array<{ actor: string, action: string }>
    expect(audit.filter((a) => a.action === 'create').length).toBe(list.body.length)
    expect(audit).toContainEqual({ actor: 'clerk-wang', action: 'withdraw' })
    expect(audit).toContainEqual({ actor: 'clerk-wang', action: 'update' })
  })
})
