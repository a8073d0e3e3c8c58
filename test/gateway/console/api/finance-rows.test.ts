// The pure parts of import and export: cells a clerk's spreadsheet really contains, and a CSV export
// that Excel opens in Chinese and never runs as formulas.
import { describe, expect, it } from 'vitest'
import { cellAmount, cellDate, decodeCsv } from '../../../../src/console/finance-import.ts'
import { statementCsv, statementPrintHtml } from '../../../../src/console/finance-export.ts'

describe('ledger cells', () => {
  it('reads the date spellings of Chinese accounting exports and refuses impossible days', () => {
    expect(['2025-03-05', '2025/3/5', '2025.3.5', '2025年3月5日', '20250305'].map(cellDate)).toEqual(Array(5).fill('2025-03-05'))
    expect(cellDate(new Date(Date.UTC(2025, 2, 5)))).toBe('2025-03-05')
    expect(['2025-02-29', '2025-13-01', '3/5/2025', '', null, 45721].map(cellDate)).toEqual(Array(6).fill(null))
  })

  it('reads yuan to fen without floating-point drift and refuses negatives, words and a third decimal', () => {
    expect(['1,234.50', '¥1234.5', '1234.50元', '0.1', '', '-', null].map(cellAmount)).toEqual([
      { cents: 123_450 }, { cents: 123_450 }, { cents: 123_450 }, { cents: 10 }, { cents: 0 }, { cents: 0 }, { cents: 0 }
    ])
    expect(cellAmount(0.1 + 0.2)).toEqual({ cents: 30 })
    expect(cellAmount(356.5)).toEqual({ cents: 35_650 })
    for (const bad of ['-5', '(5.00)', 'abc', '1.005', -1, 1.005, Number.NaN]) expect(cellAmount(bad)).toHaveProperty('reason')
  })

  it('decodes UTF-8 with or without BOM and GBK; refuses UTF-16', () => {
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('日期')]))).toEqual({ text: '日期' })
    expect(decodeCsv(new Uint8Array([0xc8, 0xd5, 0xc6, 0xda]))).toEqual({ text: '日期' })
    expect(decodeCsv(new Uint8Array([0xff, 0xfe, 0x65, 0x65]))).toHaveProperty('error')
  })
})

describe('CSV export', () => {
  it('starts with a BOM, quotes what needs quoting and defuses formulas', () => {
    const csv = statementCsv([{ seq: 1, date: '2025-03-02', voucherNo: '记-001', accountCode: '501', accountName: '经营收入', summary: '=HYPERLINK("x"),租金', incomeCents: 1_200_000, expenseCents: 0, handler: '@王', approver: '李' }])
    expect(csv.startsWith('\uFEFF日期,')).toBe(true)
    expect(csv).toContain('2025-03-02,记-001,501,经营收入,"\'=HYPERLINK(""x""),租金",12000.00,,\'@王,李\r\n')
  })
})

describe('printable page', () => {
  it('escapes what clerks typed and marks a superseded revision', () => {
    const statement = {
      id: 'fin-1', villageId: 'vil-a', periodKind: 'month' as const, periodStart: '2025-03-01', periodEnd: '2025-03-31', title: '<script>alert(1)</script>',
      status: 'superseded' as const, revision: 1, supersedesId: null, correctionReason: null, createdBy: 'user:u1', createdAt: 0, submittedAt: 0,
      reviewedBy: 'user:u2', reviewedAt: 0, reviewComment: null, publishedAt: 0, contentHash: 'ab'.repeat(32), prevHash: null, incomeCents: 0, expenseCents: 0, entryCount: 0
    }
    const html = statementPrintHtml({ statement, villageName: '山下庄', entries: [], changes: [] })
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).toContain('本版已被更正')
    expect(html).toContain('上一期校验码：（首期）')
  })
})
