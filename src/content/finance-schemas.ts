// Finance statements (村级财务公开, per 农村集体经济组织财务公开规定): inputs, money parsing and period
// rules. Money is stored as integer fen: yuan strings ("1234.50") or fen integers (123450) come in, and
// floating-point yuan never touch a sum.
import { z } from 'zod'
import { tvEntry, tvStatementSummary } from '../tv/tv-api.ts'
import { entityId } from '../registry-schemas.ts'
import { actor, line, paragraphs } from './content-schemas.ts'

/** A real calendar day as 'YYYY-MM-DD'. */
export function isCalendarDate (s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}
export const calendarDate = z.string().refine(isCalendarDate, 'a calendar date YYYY-MM-DD')

function lastDayOfMonth (year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * Why a period is not a whole month, quarter or year, or null when it is. Statements are published per
 * period (月度、季度、年度公开), so a period that straddles months would not line up with the ledger.
 */
export function periodError (kind: 'month' | 'quarter' | 'year', start: string, end: string): string | null {
  const [y1, m1, d1] = start.split('-').map(Number) as [number, number, number]
  const [y2, m2, d2] = end.split('-').map(Number) as [number, number, number]
  const months = kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12
  if (d1 !== 1) return 'periodStart must be the first day of a month'
  if (kind === 'quarter' && (m1 - 1) % 3 !== 0) return 'a quarter starts in January, April, July or October'
  if (kind === 'year' && m1 !== 1) return 'a year starts on January 1'
  const endMonthIndex = y1 * 12 + m1 - 1 + months - 1
  const ey = Math.floor(endMonthIndex / 12)
  const em = endMonthIndex % 12 + 1
  if (y2 !== ey || m2 !== em || d2 !== lastDayOfMonth(ey, em)) {
    return `periodEnd of this ${kind} must be ${ey}-${String(em).padStart(2, '0')}-${lastDayOfMonth(ey, em)}`
  }
  return null
}

/** Up to a trillion yuan: far above any village, well inside Number.MAX_SAFE_INTEGER fen. */
const MAX_CENTS = 100_000_000_000_000
/** "1234.5" / "1234.50" / "1,234.50" yuan, or an integer of fen. */
export const money = z.union([
  z.number().int().min(0).max(MAX_CENTS).describe('fen (1 yuan = 100 fen)'),
  z.string().trim().regex(/^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/, 'yuan like "1234.50" (at most two decimals) or an integer of fen')
]).transform((v, ctx) => {
  if (typeof v === 'number') return v
  const [whole, frac = ''] = v.replace(/,/g, '').split('.') as [string, string?]
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'))
  if (cents > MAX_CENTS) { ctx.addIssue({ code: 'custom', message: 'amount is too large' }); return z.NEVER }
  return cents
})

/** A chart-of-accounts code of the rural collective accounting system (e.g. 501 经营收入, 541 管理费用). */
const accountCode = z.string().trim().regex(/^\d{3,8}$/, 'an account code of 3-8 digits, e.g. 501')

export const entryInput = z.object({
  date: calendarDate,
  voucherNo: line(30),
  accountCode,
  accountName: line(50),
  summary: line(200),
  income: money.default(0),
  expense: money.default(0),
  handler: line(50),
  approver: line(50)
}).refine((e) => (e.income > 0) !== (e.expense > 0), { message: 'exactly one of income or expense must be above zero', path: ['income'] })

export type EntryInput = z.infer<typeof entryInput>

/**
 * Entry rows, each validated on its own so every error names its row in words a clerk can act on
 * ("row 4 (voucher 记-012): ..."): a 25-line ledger with one typo must not read as one opaque failure.
 */
export const entriesInput = z.array(z.unknown()).min(1).max(500).transform((rows, ctx) => {
  const out: EntryInput[] = []
  rows.forEach((row, i) => {
    const parsed = entryInput.safeParse(row)
    if (parsed.success) { out.push(parsed.data); return }
    const voucher = typeof row === 'object' && row !== null && typeof (row as { voucherNo?: unknown }).voucherNo === 'string'
      ? ` (voucher ${(row as { voucherNo: string }).voucherNo})`
      : ''
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.')
      ctx.addIssue({ code: 'custom', path: [i, ...issue.path], message: `row ${i + 1}${voucher}: ${field === '' ? '' : field + ': '}${issue.message}` })
    }
  })
  return out
}).meta({ description: 'ledger rows: {date, voucherNo, accountCode, accountName, summary, income|expense (yuan string or fen integer), handler, approver}' })

export const periodKind = z.enum(['month', 'quarter', 'year'])
export const statementInput = z.object({
  villageId: entityId, periodKind, periodStart: calendarDate, periodEnd: calendarDate, title: line(200), by: actor
}).superRefine((v, ctx) => {
  if (!isCalendarDate(v.periodStart) || !isCalendarDate(v.periodEnd)) return
  const err = periodError(v.periodKind, v.periodStart, v.periodEnd)
  if (err !== null) ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: err })
})
export const entriesBody = z.object({ entries: entriesInput, by: actor })
export const returnInput = z.object({ by: actor, comment: paragraphs(2000) })
export const correctionInput = z.object({ by: actor, reason: paragraphs(2000).describe('why the published figures were wrong; shown on every screen') })

export const statementStatus = z.enum(['draft', 'submitted', 'returned', 'published', 'superseded'])
export const adminStatement = z.object({
  id: z.string(), villageId: z.string(), periodKind, periodStart: z.string(), periodEnd: z.string(), title: z.string(),
  status: statementStatus, revision: z.number().int(), supersedesId: z.string().nullable(), correctionReason: z.string().nullable(),
  createdBy: z.string(), createdAt: z.number(), submittedAt: z.number().nullable(), reviewedBy: z.string().nullable(),
  reviewedAt: z.number().nullable(), reviewComment: z.string().nullable(), publishedAt: z.number().nullable(),
  contentHash: z.string().nullable(), prevHash: z.string().nullable(),
  incomeCents: z.number().int(), expenseCents: z.number().int(), entryCount: z.number().int()
})
export const adminStatementDetail = adminStatement.extend({ entries: z.array(tvEntry) })
export const chainReport = z.object({ ok: z.boolean(), checked: z.number().int(), firstBadId: z.string().optional() })

export { tvStatementSummary }
export type StatementInput = z.infer<typeof statementInput>
export type AdminStatement = z.infer<typeof adminStatement>
export type AdminStatementDetail = z.infer<typeof adminStatementDetail>
export type ChainReport = z.infer<typeof chainReport>
