// The demo village as a TV sees it: every section filled, in the TV contract's shapes, finance
// statements published and chained, one of them visibly corrected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { seedDemoContent } from '../../../gateway/content/demo-content.ts'
import { tvBroadcast, tvCareVisit, tvMeeting, tvNotice, tvStatementDetail, tvStatementSummary } from '../../../src/tv/tv-api.ts'
import { FakeTime } from '../../helpers/fake-time.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const tvContent = z.object({
  notices: z.array(tvNotice), meetings: z.array(tvMeeting), careVisits: z.array(tvCareVisit),
  statements: z.array(tvStatementSummary), broadcast: tvBroadcast.nullable()
})

describe('content: demo village', () => {
  let gw: TestGateway
  let ids: Awaited<ReturnType<typeof seedHome>>
  const time = new FakeTime(Date.UTC(2026, 10, 22, 6))

  beforeAll(async () => {
    gw = await startGateway({}, time)
    ids = await seedHome(gw)
  })
  afterAll(async () => { await gw.stop() })

  it('seeds without error and fills every section of the screen in the TV contract shapes', async () => {
    const seeded = await seedDemoContent(gw, ids.villageId)
    expect(seeded.statementIds).toHaveLength(3)
    const shown = tvContent.parse(gw.content.tvContent(ids.villageId, ids.gridId))
    expect(new Set(shown.notices.map((n) => n.category))).toEqual(new Set(['party', 'study', 'safety', 'health', 'general']))
    expect(shown.notices.some((n) => n.target === 'grid')).toBe(true)
    expect(shown.notices[0]?.priority).toBe('high')
    expect(new Set(shown.meetings.map((m) => m.kind))).toEqual(new Set(['branch_assembly', 'branch_committee', 'group_meeting', 'party_lecture', 'theme_day']))
    expect(shown.careVisits.length).toBeGreaterThanOrEqual(4)
    expect(shown.statements.map((s) => s.periodKind)).toEqual(['month', 'quarter', 'quarter'])
    expect(shown.statements.map((s) => s.periodStart)).toEqual(['2026-10-01', '2026-07-01', '2026-04-01'])
    for (const s of shown.statements) expect(s.entryCount).toBeGreaterThanOrEqual(10)
    expect(shown.broadcast).toBeNull()
  })

  it('shows the corrected quarter with its reason and exactly what changed', () => {
    const corrected = gw.content.tvContent(ids.villageId, null).statements.find((s) => s.correction !== null)
    expect(corrected?.correction?.reason).toContain('路灯电费')
    const detail = tvStatementDetail.parse(gw.content.statementDetail(ids.villageId, corrected?.id ?? '', 1))
    expect(detail.changes).toEqual([{ seq: 5, field: 'expense', before: '3126.40', after: '3286.40' }])
    expect(detail.entries).toHaveLength(8)
    expect(detail.totals.map((t) => t.accountName)).toContain('公益支出')
  })

  it('the chain verifies and a scheduled notice is waiting for its day', () => {
    expect(gw.content.verifyChain(ids.villageId)).toEqual({ ok: true, checked: 4 })
    expect(gw.content.tvContent(ids.villageId, null).notices.map((n) => n.title)).not.toContain('重阳敬老活动预告')
    time.advance(4 * 24 * 3_600_000)
    expect(gw.content.tvContent(ids.villageId, null).notices.map((n) => n.title)).toContain('重阳敬老活动预告')
  })

  it('hiding a published statement by flipping its status in SQLite breaks the chain at that statement', () => {
    const [month] = gw.content.tvContent(ids.villageId, null).statements
    gw.content.db.prepare("UPDATE finance_statements SET status = 'draft' WHERE id = ?").run(month?.id)
    expect(gw.content.verifyChain(ids.villageId)).toMatchObject({ ok: false, firstBadId: month?.id })
  })
})
