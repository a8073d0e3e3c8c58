// Pure logic of finance disclosure (财务公开): totals per account, what a correction changed, and money
// formatting. No I/O: the gateway's store passes rows in.

/** One ledger line as the TV shows it (money in integer fen, so sums never drift). */
export interface FinanceEntry {
  seq: number
  date: string
  voucherNo: string
  accountCode: string
  accountName: string
  summary: string
  incomeCents: number
  expenseCents: number
  handler: string
  approver: string
}

export interface CategoryTotal { accountCode: string, accountName: string, incomeCents: number, expenseCents: number }

/** Income and expense per account code (科目), in chart order (codes sort as the chart numbers them). */
export function categoryTotals (entries: readonly FinanceEntry[]): CategoryTotal[] {
  const byCode = new Map<string, CategoryTotal>()
  for (const e of entries) {
    const t = byCode.get(e.accountCode) ?? { accountCode: e.accountCode, accountName: e.accountName, incomeCents: 0, expenseCents: 0 }
    t.incomeCents += e.incomeCents
    t.expenseCents += e.expenseCents
    byCode.set(e.accountCode, t)
  }
  return [...byCode.values()].sort((a, b) => a.accountCode.localeCompare(b.accountCode))
}

/** 123456 → "1234.56" (yuan with two decimals; negative kept for completeness). */
export function formatYuan (cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

export interface EntryChange { seq: number, field: string, before: string, after: string }

// Text fields compared as-is; money compared in fen but shown in yuan, under the names `income` and
// `expense`, because villagers read 元, not 分.
const TEXT_FIELDS = ['date', 'voucherNo', 'accountCode', 'accountName', 'summary', 'handler', 'approver'] as const

function describe (e: FinanceEntry): string {
  const money = e.incomeCents > 0 ? `收入 ${formatYuan(e.incomeCents)}` : `支出 ${formatYuan(e.expenseCents)}`
  return `${e.date} ${e.accountName} ${e.summary} ${money}`
}

/**
 * What a correction changed against the revision it supersedes, entry by entry (matched by seq): a
 * field that differs gives one change; a line only in the new revision is field `added`, a line only
 * in the old one `removed`. Transparency: the screen must show what was corrected, not just that it was.
 */
export function revisionChanges (before: readonly FinanceEntry[], after: readonly FinanceEntry[]): EntryChange[] {
  const old = new Map(before.map((e) => [e.seq, e]))
  const now = new Map(after.map((e) => [e.seq, e]))
  const seqs = [...new Set([...old.keys(), ...now.keys()])].sort((a, b) => a - b)
  const changes: EntryChange[] = []
  for (const seq of seqs) {
    const a = old.get(seq)
    const b = now.get(seq)
    if (a === undefined && b !== undefined) { changes.push({ seq, field: 'added', before: '', after: describe(b) }); continue }
    if (b === undefined && a !== undefined) { changes.push({ seq, field: 'removed', before: describe(a), after: '' }); continue }
    if (a === undefined || b === undefined) continue
    for (const f of TEXT_FIELDS) if (a[f] !== b[f]) changes.push({ seq, field: f, before: a[f], after: b[f] })
    if (a.incomeCents !== b.incomeCents) changes.push({ seq, field: 'income', before: formatYuan(a.incomeCents), after: formatYuan(b.incomeCents) })
    if (a.expenseCents !== b.expenseCents) changes.push({ seq, field: 'expense', before: formatYuan(a.expenseCents), after: formatYuan(b.expenseCents) })
  }
  return changes
}
