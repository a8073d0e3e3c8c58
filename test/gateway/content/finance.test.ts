// Finance disclosure as villagers and their supervisors see it: nothing shows until a reviewer approves;
// what was shown is never silently changed (409, corrections with a reason and a list of changes); and
// tampering with a published figure in the database is caught by the hash chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tvStatementDetail, tvStatementSummary } from '../../../src/tv/tv-api.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

interface Statement { id: string, status: string, revision: number, supersedesId: string | null, contentHash: string | null, reviewComment: string | null }
const row = (seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  date: `2026-0${1 + (seq % 3)}-1${seq % 10}`, voucherNo: `记-${String(seq).padStart(3, '0')}`, accountCode: '541', accountName: '管理费用',
  summary: `办公用品采购 ${seq}`, expense: `${seq * 100}.50`, handler: '王会计', approver: '李书记', ...extra
})

describe('content: finance statements', () => {
  let gw: TestGateway
  let villageId: string
  const api = async <T = Statement>(method: string, path: string, body?: unknown): Promise<{ status: number, body: T }> =>
    await gw.api<T>(method, `/api/v1/content/finance/statements${path}`, body)

  beforeAll(async () => {
    gw = await startGateway()
    villageId = (await seedHome(gw)).villageId
  })
  afterAll(async () => { await gw.stop() })

  const draft = async (periodStart = '2026-01-01', periodEnd = '2026-03-31', periodKind = 'quarter'): Promise<string> => {
    const res = await api('POST', '', { villageId, periodKind, periodStart, periodEnd, title: '2026年第一季度村级财务公开', by: 'clerk-wang' })
    expect(res.status).toBe(201)
    return res.body.id
  }

  it('refuses a period that is not a whole quarter, and names the bad ledger row', async () => {
    const bad = await api<{ details: Array<{ path: string, message: string }> }>('POST', '', { villageId, periodKind: 'quarter', periodStart: '2026-02-01', periodEnd: '2026-04-30', title: 'x', by: 'clerk-wang' })
    expect(bad.status).toBe(400)
    const id = await draft()
    const rows = [row(1), row(2, { expense: '12.345' }), row(3), row(4, { income: '100', expense: '100' })]
    const res = await api<{ details: Array<{ path: string, message: string }> }>('PUT', `/${id}/entries`, { entries: rows, by: 'clerk-wang' })
    expect(res.status).toBe(400)
    expect(res.body.details.map((d) => d.path)).toEqual(['/entries/1/expense', '/entries/3/income'])
    expect(res.body.details[0]?.message).toMatch(/^row 2 \(voucher 记-002\): expense: /)
    expect(res.body.details[1]?.message).toMatch(/^row 4 \(voucher 记-004\): income: exactly one of income or expense/)
    const outside = await api<{ message: string }>('PUT', `/${id}/entries`, { entries: [row(1), row(2, { date: '2026-04-01' })], by: 'clerk-wang' })
    expect(outside.status).toBe(400)
    expect(outside.body.message).toContain('row 2 (voucher 记-002): date 2026-04-01 is outside the period')
  })

  let q1: string
  it('draft → submit → return → submit → approve publishes it with its reviewer; nothing shows before', async () => {
    q1 = (await api<Statement[]>('GET', `?villageId=${villageId}`)).body[0]?.id as string
    const put = await api<{ entries: unknown[], expenseCents: number }>('PUT', `/${q1}/entries`, {
      entries: [row(1), row(2), row(3), row(4, { accountCode: '501', accountName: '经营收入', summary: '厂房租金', income: '36,000', expense: undefined })], by: 'clerk-wang'
    })
    expect(put.status).toBe(200)
    expect(put.body.expenseCents).toBe(10050 + 20050 + 30050)
    expect((await api('POST', `/${q1}/submit`, { by: 'clerk-wang' })).body.status).toBe('submitted')
    expect((await api('PUT', `/${q1}/entries`, { entries: [row(1)], by: 'clerk-wang' })).status).toBe(409)
    const returned = await api('POST', `/${q1}/return`, { by: 'jiandu-zhao', comment: '记-003 缺发票,请补充' })
    expect(returned.body).toMatchObject({ status: 'returned', reviewComment: '记-003 缺发票,请补充' })
    await api('POST', `/${q1}/entries`, { entries: [row(5, { summary: '村道保洁费' })], by: 'clerk-wang' })
    await api('POST', `/${q1}/submit`, { by: 'clerk-wang' })
    expect(gw.content.tvContent(villageId, null).statements).toEqual([])
    expect(() => gw.content.statementDetail(villageId, q1, 1)).toThrow(/not published/)
    expect((await api('POST', `/${q1}/approve`, { by: 'clerk-wang' })).status).toBe(409)
    const approved = await api('POST', `/${q1}/approve`, { by: 'jiandu-zhao' })
    expect(approved.body).toMatchObject({ status: 'published', reviewedBy: 'jiandu-zhao' })
    expect(approved.body.contentHash).toMatch(/^[0-9a-f]{64}$/)

    const [summary] = gw.content.tvContent(villageId, null).statements
    expect(tvStatementSummary.parse(summary)).toMatchObject({ id: q1, incomeCents: 3_600_000, entryCount: 5, correction: null, reviewedBy: 'jiandu-zhao' })
    const detail = tvStatementDetail.parse(gw.content.statementDetail(villageId, q1, 1, 2))
    expect(detail.pageCount).toBe(3)
    expect(detail.entries.map((e) => e.seq)).toEqual([1, 2])
    expect(detail.totals).toEqual([
      { accountCode: '501', accountName: '经营收入', incomeCents: 3_600_000, expenseCents: 0 },
      { accountCode: '541', accountName: '管理费用', incomeCents: 0, expenseCents: 10050 + 20050 + 30050 + 50050 }
    ])
    expect(gw.content.statementDetail(villageId, q1, 99).page).toBe(1)
    expect(() => gw.content.statementDetail('vil-other', q1, 1)).toThrow(/not published/)
  })

  it('a published statement is immutable: edits and resubmission are 409', async () => {
    expect((await api('PUT', `/${q1}/entries`, { entries: [row(1)], by: 'clerk-wang' })).status).toBe(409)
    expect((await api('POST', `/${q1}/entries`, { entries: [row(9)], by: 'clerk-wang' })).status).toBe(409)
    expect((await api('POST', `/${q1}/submit`, { by: 'clerk-wang' })).status).toBe(409)
    expect((await api('POST', '', { villageId, periodKind: 'quarter', periodStart: '2026-01-01', periodEnd: '2026-03-31', title: 'again', by: 'clerk-wang' })).status).toBe(409)
  })

  let q1b: string
  it('a correction goes through review, supersedes the old revision and shows its reason and changes', async () => {
    const reason = '记-002 金额录入错误,应为 250.50 元'
    const corr = await api('POST', `/${q1}/correct`, { by: 'clerk-wang', reason })
    expect(corr.status).toBe(201)
    expect(corr.body).toMatchObject({ status: 'draft', revision: 2, supersedesId: q1 })
    q1b = corr.body.id
    expect((await api('POST', `/${q1}/correct`, { by: 'clerk-wang', reason })).status).toBe(409)
    const entries = (await api<{ entries: Array<Record<string, unknown>> }>('GET', `/${q1b}`)).body.entries
      .map(({ seq, incomeCents, expenseCents, ...e }) => ({ ...e, income: incomeCents, expense: seq === 2 ? '250.50' : expenseCents }))
    await api('PUT', `/${q1b}/entries`, { entries, by: 'clerk-wang' })
    // Until approved, villagers still see the original.
    expect(gw.content.tvContent(villageId, null).statements.map((s) => s.id)).toEqual([q1])
    await api('POST', `/${q1b}/submit`, { by: 'clerk-wang' })
    await api('POST', `/${q1b}/approve`, { by: 'jiandu-zhao' })

    expect((await api('GET', `/${q1}`)).body.status).toBe('superseded')
    const statements = gw.content.tvContent(villageId, null).statements
    expect(statements.map((s) => s.id)).toEqual([q1b])
    expect(statements[0]?.correction).toEqual({ reason, supersedesId: q1 })
    const detail = gw.content.statementDetail(villageId, q1b, 1)
    expect(detail.changes).toEqual([{ seq: 2, field: 'expense', before: '200.50', after: '250.50' }])
    // The superseded revision stays readable: the correction links to it.
    expect(gw.content.statementDetail(villageId, q1, 1).statement.revision).toBe(1)
    expect((await api('POST', `/${q1}/correct`, { by: 'clerk-wang', reason })).status).toBe(409)
  })

  it('the hash chain verifies, and a figure changed directly in SQLite is reported', async () => {
    const m4 = await draft('2026-04-01', '2026-04-30', 'month')
    await api('PUT', `/${m4}/entries`, { entries: [row(1, { date: '2026-04-03' })], by: 'clerk-wang' })
    await api('POST', `/${m4}/submit`, { by: 'clerk-wang' })
    const pub = await api('POST', `/${m4}/approve`, { by: 'jiandu-zhao' })
    expect(pub.body.status).toBe('published')
    const chain = async (): Promise<{ ok: boolean, checked: number, firstBadId?: string }> =>
      (await gw.api<{ ok: boolean, checked: number, firstBadId?: string }>('GET', `/api/v1/content/finance/chain?villageId=${villageId}`)).body
    expect(await chain()).toEqual({ ok: true, checked: 3 })
    gw.content.db.prepare('UPDATE finance_entries SET expense_cents = expense_cents - 10000 WHERE statement_id = ? AND seq = 3').run(q1b)
    expect(await chain()).toEqual({ ok: false, checked: 2, firstBadId: q1b })
  })

  it('audits every step with who did it', () => {
    const rows = gw.content.db.prepare("SELECT actor, action FROM audit_log WHERE entity = 'finance_statement' AND entity_id = ? ORDER BY id").all(q1) as Array<{ actor: string, action: string }>
    expect(rows.map((r) => `${r.actor}:${r.action}`)).toEqual([
      'clerk-wang:create', 'clerk-wang:replace_entries', 'clerk-wang:submit', 'jiandu-zhao:return', 'clerk-wang:add_entries', 'clerk-wang:submit', 'jiandu-zhao:approve'
    ])
  })
})
