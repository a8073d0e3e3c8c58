// Finance disclosure through the console over real HTTP: the clerk prepares and imports, a reviewer of
// the same village (never the preparer, never another village's) returns or approves, corrections are
// revisions, exports are of what was published, and tampering with the database breaks the hash chain
// where it happened — seen by the API and by `anju finance verify` (exit code 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'
import { runCli } from '../../cli/run-cli.ts'
import { GOOD_CSV, makeWorld, type World } from './console-world.ts'
import type { ConsoleClient } from '../../../helpers/console-session.ts'

let gw: TestGateway
let w: World
let clerk: ConsoleClient
let reviewer: ConsoleClient
beforeAll(async () => {
  gw = await startGateway()
  w = await makeWorld(gw)
  clerk = await w.as('clerk', { villageIds: [w.a.id] })
  reviewer = await w.as('reviewer', { villageIds: [w.a.id] })
})
afterAll(async () => { await gw?.stop() })

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64')

async function draft (c: ConsoleClient, periodStart = '2025-03-01', periodEnd = '2025-03-31'): Promise<string> {
  const res = await c.post('/finance/statements', { villageId: w.a.id, periodKind: 'month', periodStart, periodEnd, title: `${periodStart.slice(0, 7)} 财务公开` })
  expect(res.status).toBe(201)
  return res.body.id
}

describe('console finance', () => {
  it('prepare, import, return with a comment, approve by another person, export, correct, verify', async () => {
    const id = await draft(clerk)
    const imported = await clerk.post(`/finance/statements/${id}/import`, { filename: '三月.csv', contentBase64: b64(GOOD_CSV) })
    expect(imported.status).toBe(200)
    expect(imported.body).toMatchObject({ entryCount: 4, incomeCents: 2_000_000, expenseCents: 155_650 })
    expect(imported.body.totals).toEqual([
      { accountCode: '501', accountName: '经营收入', incomeCents: 1_200_000, expenseCents: 0 },
      { accountCode: '502', accountName: '发包及上交收入', incomeCents: 800_000, expenseCents: 0 },
      { accountCode: '541', accountName: '管理费用', incomeCents: 0, expenseCents: 155_650 }
    ])
    expect((await clerk.post(`/finance/statements/${id}/submit`)).body.status).toBe('submitted')

    // The clerk cannot approve (wrong role), nor can a reviewer of another village see it at all.
    expect((await clerk.post(`/finance/statements/${id}/approve`)).status).toBe(403)
    const reviewerB = await w.as('reviewer', { villageIds: [w.b.id] })
    expect((await reviewerB.post(`/finance/statements/${id}/approve`)).status).toBe(404)
    expect((await reviewerB.post(`/finance/statements/${id}/return`, { comment: '不对' })).status).toBe(404)
    expect((await reviewerB.get(`/finance/statements/${id}`)).status).toBe(404)
    expect((await reviewerB.get(`/finance/statements?villageId=${w.a.id}`)).status).toBe(404)
    // A reviewer never prepares.
    const row = { date: '2025-03-20', voucherNo: '记-009', accountCode: '501', accountName: '经营收入', summary: 'x', income: '1', handler: '甲', approver: '乙' }
    expect((await reviewer.post(`/finance/statements/${id}/entries`, { entries: [row] })).status).toBe(403)
    expect((await reviewer.post('/finance/statements', { villageId: w.a.id, periodKind: 'month', periodStart: '2025-04-01', periodEnd: '2025-04-30', title: 'x' })).status).toBe(403)

    const returned = await reviewer.post(`/finance/statements/${id}/return`, { comment: '记-004 请附维修合同' })
    expect(returned.body).toMatchObject({ status: 'returned', reviewComment: '记-004 请附维修合同', reviewedBy: `user:${reviewer.user.id}` })
    expect((await clerk.post(`/finance/statements/${id}/submit`)).status).toBe(200)
    const approved = await reviewer.post(`/finance/statements/${id}/approve`)
    expect(approved.body).toMatchObject({ status: 'published', reviewedBy: `user:${reviewer.user.id}`, createdBy: `user:${clerk.user.id}` })
    expect(gw.content.tvContent(w.a.id, null).statements.map((s) => s.id)).toContain(id)

    const csv = await fetch(`${gw.urls.http}/console/api/finance/statements/${id}/export.csv`, { headers: { cookie: `anju_session=${clerk.cookie}` } })
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/)
    const csvText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await csv.arrayBuffer())
    expect(csvText.startsWith('\uFEFF日期,凭证号,科目代码,科目名称,摘要,收入,支出,经办人,审批人\r\n')).toBe(true)
    expect(csvText).toContain('2025-03-02,记-001,501,经营收入,村集体厂房租金,12000.00,,王会计,李书记')

    const print = await reviewer.get(`/finance/statements/${id}/print`)
    expect(print.status).toBe(200)
    expect(print.headers.get('content-type')).toMatch(/^text\/html/)
    expect(print.body).toContain('size: A4')
    expect(print.body).toContain('山下庄村村务财务公开')
    expect(print.body).toContain('20000.00')
    expect(print.body).toContain(approved.body.contentHash)
    // A family member may print what the TV shows (published), never a draft.
    const family = await w.as('family', { homeIds: [w.a.homes[0]] })
    expect((await family.get(`/finance/statements/${id}/print`)).status).toBe(200)
    const draftId = await draft(clerk, '2025-04-01', '2025-04-30')
    expect((await family.get(`/finance/statements/${draftId}/print`)).status).toBe(404)
    expect((await clerk.get(`/finance/statements/${draftId}/export.csv`)).status).toBe(404)

    // A correction is a new revision with a reason; the published one stays until it is approved.
    const corr = await clerk.post(`/finance/statements/${id}/correct`, { reason: '记-002 金额录入错误' })
    expect(corr.status).toBe(201)
    expect(corr.body).toMatchObject({ revision: 2, supersedesId: id, status: 'draft' })
    const fixed = GOOD_CSV.replace('356.50', '365.50')
    expect((await clerk.post(`/finance/statements/${corr.body.id}/import`, { contentBase64: b64(fixed) })).status).toBe(200)
    await clerk.post(`/finance/statements/${corr.body.id}/submit`)
    const pub2 = await reviewer.post(`/finance/statements/${corr.body.id}/approve`)
    expect(pub2.body.status).toBe('published')
    const d2 = await clerk.get(`/finance/statements/${corr.body.id}`)
    expect(d2.body.changes).toEqual([{ seq: 2, field: 'expense', before: '356.50', after: '365.50' }])
    const print2 = await clerk.get(`/finance/statements/${corr.body.id}/print`)
    expect(print2.body).toContain('更正（第2版）')
    expect(print2.body).toContain('356.50 → 365.50')
    expect(print2.body).toContain(approved.body.contentHash) // the previous link of the chain

    expect((await family.get(`/finance/chain?villageId=${w.a.id}`)).body).toEqual({ ok: true, checked: 2 })
    expect((await family.get(`/finance/chain?villageId=${w.b.id}`)).status).toBe(404)
    const cliOk = await runCli(gw.dataDir, ['finance', 'verify', '--village', w.a.id])
    expect(cliOk.code).toBe(0)
    expect(cliOk.stdout).toMatch(/^ok: 2 published statement/)

    // Someone edits a published figure in SQLite directly.
    gw.db.prepare('UPDATE finance_entries SET income_cents = 1100000 WHERE statement_id = ? AND seq = 1').run(id)
    expect((await reviewer.get(`/finance/chain?villageId=${w.a.id}`)).body).toEqual({ ok: false, checked: 1, firstBadId: id })
    const cliBad = await runCli(gw.dataDir, ['finance', 'verify', '--village', w.a.id])
    expect(cliBad.code).toBe(1)
    expect(cliBad.stdout).toContain(`FAILED: statement ${id}`)
    const cliJson = await runCli(gw.dataDir, ['finance', 'verify', '--village', w.a.id, '--json'])
    expect(JSON.parse(cliJson.stdout)).toEqual({ villageId: w.a.id, ok: false, checked: 1, firstBadId: id })
    expect((await runCli(gw.dataDir, ['finance', 'verify', '--village', 'vil-nope'])).code).toBe(1)
  })

  it('whoever prepared a statement cannot approve it, even an admin', async () => {
    const admin = await w.as('admin')
    const id = await draft(admin, '2025-05-01', '2025-05-31')
    expect((await admin.post(`/finance/statements/${id}/import`, { contentBase64: b64(GOOD_CSV.replaceAll('2025-03', '2025-05').replace('2025/3/10', '2025/5/10')) })).status).toBe(200)
    expect((await admin.post(`/finance/statements/${id}/submit`)).status).toBe(200)
    const self = await admin.post(`/finance/statements/${id}/approve`)
    expect(self.status).toBe(409)
    expect(self.body.message).toMatch(/someone other than the clerk/)
    expect((await reviewer.post(`/finance/statements/${id}/approve`)).body.status).toBe('published')
  })
})
