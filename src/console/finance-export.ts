// Exports of a published finance statement: a CSV in the same columns the import reads (so a clerk can
// re-open it in Excel), and a printable A4 page in Chinese for the village notice board (公示栏). Pure:
// the caller passes the statement, its entries and totals.
import { categoryTotals, formatYuan, type EntryChange, type FinanceEntry } from '../content/finance-logic.ts'
import type { AdminStatement } from '../content/finance-schemas.ts'

export const CSV_HEADER = ['日期', '凭证号', '科目代码', '科目名称', '摘要', '收入', '支出', '经办人', '审批人']

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so Excel never runs a cell as a formula. */
function csvCell (v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** UTF-8 with a BOM: without it Excel on Chinese Windows reads the file as GBK and garbles every name. */
export function statementCsv (entries: readonly FinanceEntry[]): string {
  const lines = [CSV_HEADER, ...entries.map((e) => [
    e.date, e.voucherNo, e.accountCode, e.accountName, e.summary,
    e.incomeCents > 0 ? formatYuan(e.incomeCents) : '', e.expenseCents > 0 ? formatYuan(e.expenseCents) : '', e.handler, e.approver
  ])]
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

const cst = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
})
const when = (ms: number | null): string => ms === null ? '—' : cst.format(ms)
const KIND = { month: '月度', quarter: '季度', year: '年度' } as const
const FIELD_CN: Record<string, string> = {
  date: '日期', voucherNo: '凭证号', accountCode: '科目代码', accountName: '科目名称', summary: '摘要', handler: '经办人',
  approver: '审批人', income: '收入', expense: '支出', added: '新增', removed: '删除'
}
/** People are stored as `user:<name>`; the board shows the name. */
const person = (actor: string | null): string => actor === null ? '—' : actor.replace(/^user:/, '')

export interface PrintInput {
  statement: AdminStatement
  villageName: string
  entries: readonly FinanceEntry[]
  changes: readonly EntryChange[]
}

/** A self-contained page (inline CSS, no scripts, no external assets) that prints on A4 portrait. */
export function statementPrintHtml ({ statement: s, villageName, entries, changes }: PrintInput): string {
  const totals = categoryTotals(entries)
  const sumIn = entries.reduce((a, e) => a + e.incomeCents, 0)
  const sumOut = entries.reduce((a, e) => a + e.expenseCents, 0)
  const yuan = (c: number): string => c === 0 ? '' : formatYuan(c)
  const correction = s.supersedesId === null
    ? ''
    : `<p class="corr"><b>更正（第${s.revision}版）</b>：${esc(s.correctionReason ?? '')}（更正 ${esc(s.supersedesId)}）</p>` +
      (changes.length === 0
        ? ''
        : `<ul class="changes">${changes.map((c) => `<li>第${c.seq}行 ${esc(FIELD_CN[c.field] ?? c.field)}：${esc(c.before)} → ${esc(c.after)}</li>`).join('')}</ul>`)
  const superseded = s.status === 'superseded' ? '<p class="corr"><b>本版已被更正，请以最新版本为准。</b></p>' : ''
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(villageName)} ${esc(s.title)}</title>
<style>
@page { size: A4 portrait; margin: 15mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", SimSun, sans-serif; font-size: 11pt; color: #000; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
.meta { text-align: center; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; margin: 0 0 5mm; }
th, td { border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; }
thead { display: table-header-group; }
.corr { border: 0.5mm solid #000; padding: 2mm; }
.hash { font-family: monospace; font-size: 8pt; word-break: break-all; }
</style></head><body>
<h1>${esc(villageName)}村务财务公开</h1>
<p class="meta">${esc(s.title)}&#12288;${KIND[s.periodKind]} ${esc(s.periodStart)} 至 ${esc(s.periodEnd)}&#12288;第${s.revision}版</p>
${correction}${superseded}
<h2>分科目合计（元）</h2>
<table><thead><tr><th>科目代码</th><th>科目名称</th><th>收入</th><th>支出</th></tr></thead><tbody>
${totals.map((t) => `<tr><td>${esc(t.accountCode)}</td><td>${esc(t.accountName)}</td><td class="n">${yuan(t.incomeCents)}</td><td class="n">${yuan(t.expenseCents)}</td></tr>`).join('\n')}
<tr><th colspan="2">合计</th><td class="n"><b>${formatYuan(sumIn)}</b></td><td class="n"><b>${formatYuan(sumOut)}</b></td></tr>
</tbody></table>
<h2>收支明细（元）</h2>
<table><thead><tr><th>序号</th><th>日期</th><th>凭证号</th><th>科目</th><th>摘要</th><th>收入</th><th>支出</th><th>经办人</th><th>审批人</th></tr></thead><tbody>
${entries.map((e) => `<tr><td class="n">${e.seq}</td><td>${esc(e.date)}</td><td>${esc(e.voucherNo)}</td><td>${esc(e.accountCode)} ${esc(e.accountName)}</td><td>${esc(e.summary)}</td><td class="n">${yuan(e.incomeCents)}</td><td class="n">${yuan(e.expenseCents)}</td><td>${esc(e.handler)}</td><td>${esc(e.approver)}</td></tr>`).join('\n')}
</tbody></table>
<p>编制：${esc(person(s.createdBy))}&#12288;审核（民主理财小组）：${esc(person(s.reviewedBy))}&#12288;审核时间：${when(s.reviewedAt)}&#12288;公布时间：${when(s.publishedAt)}</p>
<p class="hash">校验码 SHA-256：${esc(s.contentHash ?? '')}<br>上一期校验码：${esc(s.prevHash ?? '（首期）')}</p>
<p>如对公开内容有疑问，请向村务监督委员会反映。</p>
</body></html>
`
}
