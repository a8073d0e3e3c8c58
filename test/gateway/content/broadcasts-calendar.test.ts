// Emergency broadcasts take over and release the screens (with events for the TV stream), and the
// meeting and medical-visit calendars show what is coming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContentChange } from '../../../gateway/content/content-service.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe('content: broadcasts and calendars', () => {
  let gw: TestGateway
  let time: FakeTime
  let ids: Awaited<ReturnType<typeof seedHome>>
  const changes: ContentChange[] = []
  let unsubscribe: () => void

  beforeAll(async () => {
    time = new FakeTime(Date.UTC(2026, 7, 10, 1))
    gw = await startGateway({}, time)
    ids = await seedHome(gw)
    unsubscribe = gw.content.onChange((c) => changes.push(c))
  })
  afterAll(async () => {
    unsubscribe()
    await gw.stop()
  })

  const typhoon = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    villageId: ids.villageId, kind: 'typhoon', title: '台风紧急转移通知', body: '请低洼地带村民立即转移至村文化礼堂。', confirm: true, by: 'duty-li', ...extra
  })

  it('refuses a broadcast without confirm: true', async () => {
    const res = await gw.api<{ details: Array<{ path: string }> }>('POST', '/api/v1/content/broadcasts', typhoon({ confirm: false }))
    expect(res.status).toBe(400)
    expect(res.body.details[0]?.path).toBe('/confirm')
    expect(gw.content.tvContent(ids.villageId, null).broadcast).toBeNull()
  })

  it('start takes over every screen and emits a broadcast event; end releases it', async () => {
    changes.length = 0
    const res = await gw.api<{ id: string, active: boolean }>('POST', '/api/v1/content/broadcasts', typhoon())
    expect(res.status).toBe(201)
    expect(gw.content.tvContent(ids.villageId, ids.gridId).broadcast?.title).toBe('台风紧急转移通知')
    expect(changes).toEqual([{ villageId: ids.villageId, kind: 'broadcast', broadcast: expect.objectContaining({ id: res.body.id, kind: 'typhoon' }) }])
    expect((await gw.api('POST', `/api/v1/content/broadcasts/${res.body.id}/end`, { by: 'duty-li' })).status).toBe(400)
    expect((await gw.api('POST', `/api/v1/content/broadcasts/${res.body.id}/end`, { by: 'duty-li', confirm: true })).status).toBe(200)
    expect(changes.at(-1)).toEqual({ villageId: ids.villageId, kind: 'broadcast_end', id: res.body.id })
    expect(gw.content.tvContent(ids.villageId, null).broadcast).toBeNull()
    expect((await gw.api('POST', `/api/v1/content/broadcasts/${res.body.id}/end`, { by: 'duty-li', confirm: true })).status).toBe(409)
  })

  it('a new broadcast ends the active one: one takeover per village', async () => {
    const first = await gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', typhoon())
    changes.length = 0
    const second = await gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', typhoon({ kind: 'flood', title: '山洪预警' }))
    expect(changes.map((c) => c.kind)).toEqual(['broadcast_end', 'broadcast'])
    expect(gw.content.tvContent(ids.villageId, null).broadcast?.id).toBe(second.body.id)
    const list = await gw.api<Array<{ id: string, active: boolean }>>('GET', `/api/v1/content/broadcasts?villageId=${ids.villageId}`)
    expect(list.body.filter((b) => b.active).map((b) => b.id)).toEqual([second.body.id])
    expect(list.body.find((b) => b.id === first.body.id)?.active).toBe(false)
    await gw.api('POST', `/api/v1/content/broadcasts/${second.body.id}/end`, { by: 'duty-li', confirm: true })
  })

  it('a broadcast with endsAt ends by itself and tells the screens', async () => {
    const res = await gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', typhoon({ kind: 'fire', title: '山林火险', endsAt: time.now() + 2 * HOUR }))
    changes.length = 0
    time.advance(2 * HOUR - 1)
    expect(gw.content.tvContent(ids.villageId, null).broadcast?.id).toBe(res.body.id)
    time.advance(1)
    expect(changes).toEqual([{ villageId: ids.villageId, kind: 'broadcast_end', id: res.body.id }])
    expect(gw.content.tvContent(ids.villageId, null).broadcast).toBeNull()
  })

  it('a broadcast that ends by itself still ends after a gateway restart', async () => {
    const res = await gw.api<{ id: string }>('POST', '/api/v1/content/broadcasts', typhoon({ title: '台风蓝色预警', endsAt: time.now() + HOUR }))
    await gw.stop({ keepDir: true })
    gw = await startGateway({ dataDir: gw.dataDir }, time)
    const after: ContentChange[] = []
    gw.content.onChange((c) => after.push(c))
    expect(gw.content.tvContent(ids.villageId, null).broadcast?.id).toBe(res.body.id)
    time.advance(HOUR)
    expect(after).toEqual([{ villageId: ids.villageId, kind: 'broadcast_end', id: res.body.id }])
    const [latest] = (await gw.api<Array<{ endedBy: string | null }>>('GET', `/api/v1/content/broadcasts?villageId=${ids.villageId}`)).body
    expect(latest?.endedBy).toBe('system:expired')
  })

  it('meetings and care visits: from yesterday on, soonest first, cancelled ones gone', async () => {
    const now = time.now()
    const mk = async (title: string, startsAt: number, kind = 'group_meeting'): Promise<string> =>
      (await gw.api<{ id: string }>('POST', '/api/v1/content/meetings', { villageId: ids.villageId, kind, title, startsAt, place: '村党群服务中心', by: 'clerk-wang' })).body.id
    await mk('上月党小组会', now - 3 * DAY)
    await mk('昨天的党课', now - 12 * HOUR, 'party_lecture')
    await mk('支部党员大会', now + 5 * DAY, 'branch_assembly')
    const cancelled = await mk('主题党日', now + 2 * DAY, 'theme_day')
    expect((await gw.api('POST', `/api/v1/content/meetings/${cancelled}/cancel`, { by: 'clerk-wang' })).status).toBe(200)
    expect(gw.content.tvContent(ids.villageId, null).meetings.map((m) => m.title)).toEqual(['昨天的党课', '支部党员大会'])
    expect((await gw.api('POST', '/api/v1/content/meetings', { villageId: ids.villageId, kind: 'tea_party', title: 'x', startsAt: now, place: 'y', by: 'a' })).status).toBe(400)

    const visit = { villageId: ids.villageId, team: '镇卫生院医疗队', place: '村卫生室', services: '量血压、测血糖、慢病随访', by: 'clerk-wang' }
    await gw.api('POST', '/api/v1/content/care-visits', { ...visit, startsAt: now + 3 * DAY, endsAt: now + 3 * DAY + 3 * HOUR })
    const first = await gw.api<{ id: string }>('POST', '/api/v1/content/care-visits', { ...visit, startsAt: now + DAY })
    expect(gw.content.tvContent(ids.villageId, null).careVisits.map((v) => v.startsAt)).toEqual([now + DAY, now + 3 * DAY])
    await gw.api('POST', `/api/v1/content/care-visits/${first.body.id}/cancel`, { by: 'clerk-wang' })
    expect(gw.content.tvContent(ids.villageId, null).careVisits).toHaveLength(1)
    expect((await gw.api('POST', '/api/v1/content/care-visits', { ...visit, startsAt: now, endsAt: now - 1 })).status).toBe(400)
  })
})
