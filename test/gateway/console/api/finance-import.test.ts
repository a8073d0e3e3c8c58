// Importing a ledger export (CSV or XLSX) into a draft: a zoo of bad files and rows, each reported with
// its row number, column and reason, and then nothing imported; good CSV (UTF-8 with and without BOM,
// GBK) and a good XLSX (header in English, real date cells) import the same figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Answer, ConsoleClient } from '../../../helpers/console-session.ts'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'
import { GOOD_CSV, makeWorld, type World } from './console-world.ts'
import { xlsx } from './xlsx.ts'

let gw: TestGateway
let w: World
let clerk: ConsoleClient
let statementId: string
beforeAll(async () => {
  gw = await startGateway()
  w = await makeWorld(gw)
  clerk = await w.as('clerk', { villageIds: [w.a.id] })
  const res = await clerk.post('/finance/statements', { villageId: w.a.id, periodKind: 'month', periodStart: '2025-03-01', periodEnd: '2025-03-31', title: '2025年3月财务公开' })
  statementId = res.body.id
})
afterAll(async () => { await gw?.stop() })

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64')
const HEADER = '日期,凭证号,科目代码,科目名称,摘要,收入,支出,经办人,审批人'
const row = (over: Partial<Record<'date' | 'voucher' | 'code' | 'income' | 'expense', string>> = {}): string =>
  [over.date ?? '2025-03-05', over.voucher ?? '记-010', over.code ?? '501', '经营收入', '租金', over.income ?? '100.00', over.expense ?? '', '王会计', '李书记'].join(',')
const importFile = (body: Record<string, unknown>): Promise<Answer> => clerk.post(`/finance/statements/${statementId}/import`, body)
const entryCount = (): number => (gw.db.prepare('SELECT COUNT(*) AS n FROM finance_entries WHERE statement_id = ?').get(statementId) as { n: number }).n

/** GBK bytes of `text`, via a reverse table of the platform's own GBK decoder (Node has no GBK encoder). */
function gbk (text: string): Uint8Array {
  const table = new Map<string, number[]>()
  const dec = new TextDecoder('gbk')
  for (let hi = 0x81; hi <= 0xfe; hi++) for (let lo = 0x40; lo <= 0xfe; lo++) table.set(dec.decode(new Uint8Array([hi, lo])), [hi, lo])
  return new Uint8Array([...text].flatMap((ch) => ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : table.get(ch) ?? [0x3f]))
}

describe('finance import', () => {
  it('reports every bad row by number, column and reason, and imports nothing', async () => {
    const res = await importFile({ filename: 'bad.csv', contentBase64: b64([
      HEADER,
      row(), // 2: fine
      row({ date: '2025-13-01' }), // 3
      row({ date: '2025-04-01' }), // 4: outside the period
      row({ income: '-50' }), // 5
      row({ income: 'abc' }), // 6
      row({ income: '10', expense: '10' }), // 7
      row({ voucher: '' }), // 8
      row({ income: '' }), // 9: neither
      row({ code: '5x1' }), // 10
      row({ income: '1.005' }) // 11: three decimals
    ].join('\n')) })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('INVALID_INPUT')
    expect(res.body.message).toMatch(/nothing was imported/)
    const rows = res.body.rows as Array<{ row: number, column: string | null, reason: string }>
    const at = (n: number): string[] => rows.filter((r) => r.row === n).map((r) => `${r.column}: ${r.reason}`)
    expect(at(2)).toEqual([])
    expect(at(3)).toEqual([expect.stringMatching(/^日期: "2025-13-01" is not a date/)])
    expect(at(4)).toEqual([expect.stringMatching(/^日期: 2025-04-01 is outside the statement's period 2025-03-01\.\.2025-03-31/)])
    expect(at(5)).toEqual([expect.stringMatching(/^收入: must not be negative/)])
    expect(at(6)).toEqual([expect.stringMatching(/^收入: "abc" is not an amount/)])
    expect(at(7)).toEqual([expect.stringMatching(/^收入: both income and expense/)])
    expect(at(8)).toEqual(['凭证号: is empty'])
    expect(at(9)).toEqual([expect.stringMatching(/^收入: neither income nor expense/)])
    expect(at(10)).toEqual([expect.stringMatching(/^科目代码: an account code of 3-8 digits/)])
    expect(at(11)).toEqual([expect.stringMatching(/^收入: "1.005" is not an amount/)])
    expect(entryCount()).toBe(0)
  })

  it('refuses a file with a missing column, the wrong encoding, too many rows, or that is not a spreadsheet', async () => {
    const missing = await importFile({ contentBase64: b64(`日期,凭证号,科目代码,科目名称,摘要,收入,支出,经办人\n${row()}`) })
    expect(missing.status).toBe(400)
    expect(missing.body.rows).toEqual([{ row: 1, column: '审批人', reason: 'missing column 审批人 / approver' }])

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n${row()}`, 'utf16le')])
    const enc = await importFile({ contentBase64: b64(utf16) })
    expect(enc.body.rows).toEqual([{ row: 1, column: null, reason: expect.stringMatching(/UTF-16.*CSV UTF-8/) }])

    const many = [HEADER, ...Array.from({ length: 501 }, (_, i) => row({ voucher: `记-${i}` }))].join('\n')
    const tooMany = await importFile({ contentBase64: b64(many) })
    expect(tooMany.body.rows).toEqual([{ row: 502, column: null, reason: 'too many rows: 501 entries, at most 500 per statement' }])

    const notXlsx = await importFile({ filename: 'ledger.xlsx', contentBase64: b64('this is not a zip') })
    expect(notXlsx.body.rows[0].reason).toMatch(/not an \.xlsx file/)
    const empty = await importFile({ contentBase64: b64('\n\n') })
    expect(empty.body.rows).toEqual([{ row: 1, column: null, reason: 'the file is empty' }])
    const unclosed = await importFile({ contentBase64: b64(`${HEADER}\n2025-03-05,"记-1,501`) })
    expect(unclosed.body.rows[0].reason).toMatch(/not a valid CSV file/)
    expect(entryCount()).toBe(0)
  })

  it('imports a good CSV in UTF-8 with BOM, and in GBK, with the same figures; append adds rows', async () => {
    const withBom = await importFile({ filename: '三月.csv', contentBase64: b64('\uFEFF' + GOOD_CSV) })
    expect(withBom.status).toBe(200)
    expect(withBom.body).toMatchObject({ entryCount: 4, incomeCents: 2_000_000, expenseCents: 155_650 })
    const fromGbk = await importFile({ filename: '三月.csv', contentBase64: b64(gbk(GOOD_CSV)) })
    expect(fromGbk.status).toBe(200)
    expect(fromGbk.body.entries).toEqual(withBom.body.entries)
    const appended = await importFile({ contentBase64: b64(`${HEADER}\n${row({ voucher: '记-005' })}`), mode: 'append' })
    expect(appended.body.entries.map((e: { seq: number, voucherNo: string }) => `${e.seq}:${e.voucherNo}`).at(-1)).toBe('5:记-005')
    // A bad file after a good one leaves the good rows alone.
    expect((await importFile({ contentBase64: b64(`${HEADER}\n${row({ income: '-1' })}`) })).status).toBe(400)
    expect(entryCount()).toBe(5)
  })

  it('imports an XLSX with an English header, date cells and numbers; bad cells name their row', async () => {
    const d = (day: number): Date => new Date(Date.UTC(2025, 2, day))
    const header = ['Date', 'Voucher number', 'Account code', 'Account name', 'Summary', 'Income', 'Expense', 'Handler', 'Approver']
    const file = xlsx([
      header,
      [d(2), '记-001', 501, '经营收入', '村集体厂房租金', 12000, null, '王会计', '李书记'],
      [d(10), '记-002', 541, '管理费用', '办公用品', null, 356.5, '王会计', '李书记'],
      [d(15), '记-003', 502, '发包及上交收入', '鱼塘承包费', 8000, null, '王会计', '李书记'],
      ['2025-03-28', '记-004', '541', '管理费用', '村务公开栏维修', null, '1,200.00', '王会计', '李书记']
    ])
    const good = await importFile({ filename: '2025年3月.xlsx', contentBase64: b64(file) })
    expect(good.status).toBe(200)
    expect(good.body).toMatchObject({ entryCount: 4, incomeCents: 2_000_000, expenseCents: 155_650 })
    expect(good.body.entries[0]).toMatchObject({ date: '2025-03-02', voucherNo: '记-001', accountCode: '501', incomeCents: 1_200_000 })

    const bad = await importFile({ contentBase64: b64(xlsx([header, [d(2), '记-001', 501, '经营收入', '租金', -5, null, '王会计', '李书记'], [d(40), '记-002', 501, '经营收入', '租金', 5, null, '王会计', '李书记']])) })
    expect(bad.status).toBe(400)
    expect(bad.body.rows).toEqual([
      { row: 2, column: 'Income', reason: expect.stringMatching(/must not be negative/) },
      { row: 3, column: 'Date', reason: '2025-04-09 is outside the statement\'s period 2025-03-01..2025-03-31' }
    ])
    expect(entryCount()).toBe(4)
  })

  it('only the village\'s clerk (or admin) imports, and only into a draft', async () => {
    const other = await w.as('clerk', { villageIds: [w.b.id] })
    expect((await other.post(`/finance/statements/${statementId}/import`, { contentBase64: b64(GOOD_CSV) })).status).toBe(404)
    const reviewer = await w.as('reviewer', { villageIds: [w.a.id] })
    expect((await reviewer.post(`/finance/statements/${statementId}/import`, { contentBase64: b64(GOOD_CSV) })).status).toBe(403)
    expect((await clerk.post(`/finance/statements/${statementId}/submit`)).status).toBe(200)
    expect((await importFile({ contentBase64: b64(GOOD_CSV) })).status).toBe(409)
  })
})
