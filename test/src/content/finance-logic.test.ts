// The pure rules of finance disclosure: money in fen, whole periods, totals per account, what a
// correction changed, and one canonical byte string per statement for the hash chain.
import { describe, expect, it } from 'vitest'
import { categoryTotals, formatYuan, revisionChanges, type FinanceEntry } from '../../../src/content/finance-logic.ts'
import { entriesInput, money, periodError, isCalendarDate } from '../../../src/content/finance-schemas.ts'
import { canonicalJson, canonicalStatement } from '../../../src/content/hash-chain.ts'

const entry = (seq: number, extra: Partial<FinanceEntry> = {}): FinanceEntry => ({
  seq, date: '2026-01-05', voucherNo: `记-${seq}`, accountCode: '541', accountName: '管理费用', summary: '办公用品',
  incomeCents: 0, expenseCents: 1000, handler: '张丽萍', approver: '王建国', ...extra
})

describe('money', () => {
  it('reads yuan strings and fen integers exactly, never through floating point', () => {
    expect(money.parse('1234.5')).toBe(123450)
    expect(money.parse('1,234.56')).toBe(123456)
    expect(money.parse('0.07')).toBe(7)
    expect(money.parse(' 36000 ')).toBe(3_600_000)
    expect(money.parse(99)).toBe(99)
    for (const bad of ['12.345', '-5', '1e3', '¥12', '', 1.5, -1]) expect(money.safeParse(bad).success).toBe(false)
    expect(formatYuan(328640)).toBe('3286.40')
    expect(formatYuan(7)).toBe('0.07')
  })
})

describe('periods and dates', () => {
  it('accepts whole months, quarters and years only', () => {
    expect(periodError('month', '2026-02-01', '2026-02-28')).toBeNull()
    expect(periodError('month', '2024-02-01', '2024-02-29')).toBeNull()
    expect(periodError('quarter', '2026-10-01', '2026-12-31')).toBeNull()
    expect(periodError('year', '2026-01-01', '2026-12-31')).toBeNull()
    expect(periodError('month', '2026-02-01', '2026-02-27')).toMatch(/2026-02-28/)
    expect(periodError('quarter', '2026-02-01', '2026-04-30')).toMatch(/quarter starts/)
    expect(periodError('year', '2026-01-02', '2026-12-31')).toMatch(/first day/)
    expect(isCalendarDate('2026-02-30')).toBe(false)
  })
})

describe('entry rows', () => {
  it('names each bad row and its voucher, and keeps the good ones typed in fen', () => {
    const good = { date: '2026-01-05', voucherNo: '记-01', accountCode: '501', accountName: '经营收入', summary: '厂房租金', income: '62000', handler: '张', approver: '王' }
    expect(entriesInput.parse([good])[0]).toMatchObject({ income: 6_200_000, expense: 0 })
    const res = entriesInput.safeParse([good, { ...good, voucherNo: '记-02', accountCode: 'abc' }, 'nonsense'])
    expect(res.success).toBe(false)
    const messages = res.error?.issues.map((i) => i.message) ?? []
    expect(messages[0]).toMatch(/^row 2 \(voucher 记-02\): accountCode: /)
    expect(messages[1]).toMatch(/^row 3: /)
  })
})

describe('totals and changes', () => {
  it('totals income and expense per account code', () => {
    const totals = categoryTotals([entry(1), entry(2, { accountCode: '501', accountName: '经营收入', incomeCents: 5000, expenseCents: 0 }), entry(3)])
    expect(totals).toEqual([
      { accountCode: '501', accountName: '经营收入', incomeCents: 5000, expenseCents: 0 },
      { accountCode: '541', accountName: '管理费用', incomeCents: 0, expenseCents: 2000 }
    ])
  })

  it('lists changed fields, added and removed rows by seq', () => {
    const before = [entry(1), entry(2), entry(3)]
    const after = [entry(1, { summary: '办公用品(打印纸)' }), entry(2, { expenseCents: 1500 }), entry(4)]
    expect(revisionChanges(before, after)).toEqual([
      { seq: 1, field: 'summary', before: '办公用品', after: '办公用品(打印纸)' },
      { seq: 2, field: 'expense', before: '10.00', after: '15.00' },
      { seq: 3, field: 'removed', before: '2026-01-05 管理费用 办公用品 支出 10.00', after: '' },
      { seq: 4, field: 'added', before: '', after: '2026-01-05 管理费用 办公用品 支出 10.00' }
    ])
    expect(revisionChanges(before, before)).toEqual([])
  })
})

describe('canonical form', () => {
  it('does not depend on key order or entry order, and changes with any figure or the previous hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}')
    const s = {
      id: 'fin-1', villageId: 'v', periodKind: 'month', periodStart: '2026-01-01', periodEnd: '2026-01-31', title: 't', revision: 1,
      supersedesId: null, correctionReason: null, createdBy: 'c', reviewedBy: 'r', reviewedAt: 1, publishedAt: 2
    }
    const base = canonicalStatement(s, [entry(1), entry(2)], null)
    expect(canonicalStatement({ ...s }, [entry(2), entry(1)], null)).toBe(base)
    expect(canonicalStatement(s, [entry(1), entry(2, { expenseCents: 1001 })], null)).not.toBe(base)
    expect(canonicalStatement(s, [entry(1), entry(2)], 'ab')).not.toBe(base)
  })
})
