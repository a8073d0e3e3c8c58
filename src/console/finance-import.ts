// Pure mapping of a ledger export (CSV or XLSX, already read into rows of cells) to finance entries.
// Every bad row is reported with its row number in the file, the column as the clerk's file names it
// and a reason in plain words; the caller imports nothing unless the whole file is clean, because a
// statement that is half imported would publish wrong totals.
import { parse as parseCsv } from 'csv-parse/sync'
import { entryInput, isCalendarDate, type EntryInput } from '../content/finance-schemas.ts'

export interface RowError { row: number, column: string | null, reason: string }
export type ImportResult = { ok: true, entries: EntryInput[] } | { ok: false, errors: RowError[] }
export type Cell = string | number | boolean | Date | null | undefined

/** Same cap as the entries API (entriesInput max): a village ledger has tens of lines a month. */
export const MAX_IMPORT_ROWS = 500
/** Reporting more than this helps nobody: the file is the wrong one, or the wrong columns. */
const MAX_ERRORS = 100

type Field = 'date' | 'voucherNo' | 'accountCode' | 'accountName' | 'summary' | 'income' | 'expense' | 'handler' | 'approver'

/** Header names seen in exports of village accounting software, Chinese and English (compared loosely). */
const ALIASES: Record<Field, string[]> = {
  date: ['日期', '记账日期', '凭证日期', 'date'],
  voucherNo: ['凭证号', '凭证编号', '凭证字号', 'vouchernumber', 'voucherno', 'voucher'],
  accountCode: ['科目代码', '科目编码', 'accountcode'],
  accountName: ['科目名称', 'accountname'],
  summary: ['摘要', 'summary'],
  income: ['收入', '收入金额', 'income'],
  expense: ['支出', '支出金额', 'expense'],
  handler: ['经办人', 'handler'],
  approver: ['审批人', 'approver']
}
const FIELDS = Object.keys(ALIASES) as Field[]
const normal = (s: string): string => s.replace(/[\s_\-（）()]/g, '').replace(/\(元\)|（元）|元$/, '').toLowerCase()

/**
 * Decode CSV bytes: UTF-8 with or without BOM; otherwise GB18030 (a superset of GBK, what Excel on
 * Chinese Windows writes as "CSV"). UTF-16 (Excel's "Unicode text") is refused with what to do instead.
 */
export function decodeCsv (bytes: Uint8Array): { text: string } | { error: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { error: 'the file is UTF-16 ("Unicode text"); save it as "CSV UTF-8" or as .xlsx' }
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body) }
  } catch {
    // Valid GBK text is almost never valid UTF-8, so a failed strict UTF-8 decode is a reliable signal.
    try {
      return { text: new TextDecoder('gb18030', { fatal: true }).decode(body) }
    } catch {
      return { error: 'the file is neither UTF-8 nor GBK text; save it as "CSV UTF-8" or as .xlsx' }
    }
  }
}

/** CSV text to rows of cells; a malformed file (an unclosed quote) is one error on its line. */
export function csvRows (text: string): { rows: Cell[][] } | { error: RowError } {
  try {
    const rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][]
    return { rows }
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1
    return { error: { row: line, column: null, reason: `not a valid CSV file: ${(err as Error).message}` } }
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** 2025-03-05, 2025/3/5, 2025.3.5, 20250305, 2025年3月5日, or an XLSX date cell; else null. */
export function cellDate (cell: Cell): string | null {
  if (cell instanceof Date) {
    // read-excel-file gives dates at UTC midnight of the calendar day in the sheet.
    return Number.isNaN(cell.getTime()) ? null : cell.toISOString().slice(0, 10)
  }
  if (typeof cell !== 'string') return null
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cell.trim()) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(cell.trim())
  if (m === null) return null
  const iso = `${m[1]}-${pad2(Number(m[2]))}-${pad2(Number(m[3]))}`
  return isCalendarDate(iso) ? iso : null
}

/** Yuan in a cell to fen: empty is 0; negative, three decimals or words are errors (null + reason). */
export function cellAmount (cell: Cell): { cents: number } | { reason: string } {
  if (cell === null || cell === undefined || cell === '') return { cents: 0 }
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return { reason: 'not a number' }
    if (cell < 0) return { reason: 'must not be negative (a refund is its own line of income or expense)' }
    const cents = Math.round(cell * 100)
    if (Math.abs(cents - cell * 100) > 1e-6) return { reason: 'at most two decimals (fen)' }
    return { cents }
  }
  if (typeof cell !== 'string') return { reason: 'not an amount' }
  const s = cell.trim().replace(/^[¥￥]/, '').replace(/元$/, '').trim()
  if (s === '' || s === '-' || s === '—') return { cents: 0 }
  if (/^-|^\(.*\)$/.test(s)) return { reason: 'must not be negative (a refund is its own line of income or expense)' }
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(s)
  if (m === null) return { reason: `"${cell}" is not an amount in yuan like 1234.50` }
  const cents = Number((m[1] as string).replace(/,/g, '')) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  return Number.isSafeInteger(cents) ? { cents } : { reason: 'amount is too large' }
}

const text = (cell: Cell): string => cell instanceof Date ? cell.toISOString().slice(0, 10) : cell === null || cell === undefined ? '' : String(cell).trim()
const blank = (row: Cell[]): boolean => row.every((c) => text(c) === '')

/**
 * Map rows (the first non-blank one is the header) to entries of a statement for `period`. Row numbers
 * are 1-based positions in the file, so "row 7" is the seventh line in Excel or a text editor.
 */
export function mapLedgerRows (rows: Cell[][], period: { start: string, end: string }): ImportResult {
  const headerIndex = rows.findIndex((r) => !blank(r))
  if (headerIndex < 0) return { ok: false, errors: [{ row: 1, column: null, reason: 'the file is empty' }] }
  const header = (rows[headerIndex] as Cell[]).map((c) => text(c))
  const columns = new Map<Field, number>()
  const errors: RowError[] = []
  for (const field of FIELDS) {
    const at = header.findIndex((h) => ALIASES[field].includes(normal(h)))
    if (at >= 0) columns.set(field, at)
    // Income or expense alone is a valid layout only if the other column exists too: require both.
    else errors.push({ row: headerIndex + 1, column: ALIASES[field][0] as string, reason: `missing column ${ALIASES[field][0]} / ${ALIASES[field][ALIASES[field].length - 1]}` })
  }
  if (errors.length > 0) return { ok: false, errors }
  const body = rows.slice(headerIndex + 1).map((cells, i) => ({ cells, row: headerIndex + i + 2 })).filter((r) => !blank(r.cells))
  if (body.length === 0) return { ok: false, errors: [{ row: headerIndex + 2, column: null, reason: 'no entries below the header' }] }
  if (body.length > MAX_IMPORT_ROWS) {
    return { ok: false, errors: [{ row: (body[MAX_IMPORT_ROWS] as { row: number }).row, column: null, reason: `too many rows: ${body.length} entries, at most ${MAX_IMPORT_ROWS} per statement` }] }
  }
  const colName = (f: Field): string => header[columns.get(f) as number] as string
  const entries: EntryInput[] = []
  for (const { cells, row } of body) {
    if (errors.length >= MAX_ERRORS) break
    const at = (f: Field): Cell => cells[columns.get(f) as number]
    const rowErrors: RowError[] = []
    const bad = (f: Field, reason: string): void => { rowErrors.push({ row, column: colName(f), reason }) }
    const date = cellDate(at('date'))
    if (date === null) bad('date', `"${text(at('date'))}" is not a date like 2025-03-05`)
    else if (date < period.start || date > period.end) bad('date', `${date} is outside the statement's period ${period.start}..${period.end}`)
    const amounts: Partial<Record<'income' | 'expense', number>> = {}
    for (const f of ['income', 'expense'] as const) {
      const a = cellAmount(at(f))
      if ('reason' in a) bad(f, a.reason)
      else amounts[f] = a.cents
    }
    if (amounts.income !== undefined && amounts.expense !== undefined && (amounts.income > 0) === (amounts.expense > 0)) {
      bad('income', amounts.income > 0 ? 'both income and expense are filled in: one line is one or the other' : 'neither income nor expense is filled in')
    }
    const candidate = {
      date: date ?? '1970-01-01', voucherNo: text(at('voucherNo')), accountCode: text(at('accountCode')), accountName: text(at('accountName')),
      summary: text(at('summary')), income: amounts.income ?? 0, expense: amounts.expense ?? 0, handler: text(at('handler')), approver: text(at('approver'))
    }
    // The domain schema has the last word (lengths, account code format, printable text).
    const parsed = entryInput.safeParse(rowErrors.length > 0 ? { ...candidate, income: 1, expense: 0 } : candidate)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const f = issue.path[0] as Field | undefined
        if (f === undefined || f === 'date' || f === 'income' || f === 'expense') continue
        bad(f, text(at(f)) === '' ? 'is empty' : issue.message)
      }
    }
    if (rowErrors.length > 0) errors.push(...rowErrors)
    else if (parsed.success) entries.push(parsed.data)
  }
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, MAX_ERRORS) } : { ok: true, entries }
}
