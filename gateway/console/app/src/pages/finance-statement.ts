/// <reference lib="dom" />
// One finance statement: its rows and totals; for a clerk, import of a CSV/XLSX ledger (each bad row's
// error shown next to that row of the file) and submit; for a reviewer, approve or return with a comment;
// for a published one, correction with a reason, CSV export and the printable notice-board page.
import { useState } from 'preact/hooks'
import { ApiError, get, post, rowErrors, type Session } from '../api.ts'
import { previewCsv } from '../csv-preview.ts'
import { html } from '../html.ts'
import { Card, Field, Ok, PERIOD_KIND, STATEMENT_STATUS, Status, fmtTime, useAction, useLoad, yuan } from '../ui.ts'
import { FINANCE, type StatementRow } from './finance.ts'

interface Entry { seq: number, date: string, voucherNo: string, accountCode: string, accountName: string, summary: string, incomeCents: number, expenseCents: number, handler: string, approver: string }
interface Total { accountCode: string, accountName: string, incomeCents: number, expenseCents: number }
interface Change { seq: number, field: string, before: string, after: string }
type Detail = StatementRow & { entries: Entry[], totals?: Total[], changes?: Change[] }
const FIELD: Record<string, string> = {
  date: '日期', voucherNo: '凭证号', accountCode: '科目代码', accountName: '科目名称', summary: '摘要', handler: '经办人', approver: '审批人', income: '收入', expense: '支出', added: '新增', removed: '删除'
}

/** The console API takes JSON only (its CSRF defence), so the file travels base64 inside it. */
function base64 (bytes: ArrayBuffer): string {
  const u8 = new Uint8Array(bytes)
  let bin = ''
  for (let i = 0; i < u8.length; i += 0x8000) bin += String.fromCharCode(...u8.subarray(i, i + 0x8000))
  return btoa(bin)
}

export function Statement ({ session, id }: { session: Session, id: string }): unknown {
  const path = FINANCE + '/' + encodeURIComponent(id)
  const st = useLoad(() => get<Detail>(path), [id])
  const act = useAction()
  const [ok, setOk] = useState<string | null>(null)
  const [comment, setComment] = useState('')
  const [reason, setReason] = useState('')
  const role = session.user.role
  const s = st.data
  const step = (url: string, body: unknown, done: string) => (): void => {
    setOk(null)
    void act.run(async () => { const r = await post<StatementRow>(url, body); setOk(done); if (r.id !== id) location.hash = '#/finance/' + encodeURIComponent(r.id); else st.reload() })
  }
  const writable = s !== null && (s.status === 'draft' || s.status === 'returned') && (role === 'clerk' || role === 'admin')
  const reviewable = s !== null && s.status === 'submitted' && (role === 'reviewer' || role === 'admin')
  return html`<p><a href="#/finance">← 返回财务公开</a></p>
    <${Status} loading=${st.loading && s === null} error=${st.error} />
    ${s === null ? null : html`<${Card} title=${s.title}>
      <dl class="facts">
        <dt>期间</dt><dd>${PERIOD_KIND[s.periodKind] ?? s.periodKind} ${s.periodStart} 至 ${s.periodEnd}</dd>
        <dt>状态</dt><dd data-status=${s.status}><span class=${'badge st-' + s.status}>${STATEMENT_STATUS[s.status] ?? s.status}</span>${s.revision > 1 ? ` 第${s.revision}版` : ''}</dd>
        <dt>收入合计</dt><dd>${yuan(s.incomeCents)} 元</dd><dt>支出合计</dt><dd>${yuan(s.expenseCents)} 元</dd>
        ${s.correctionReason !== null ? html`<dt>更正原因</dt><dd>${s.correctionReason}</dd>` : null}
        ${s.reviewComment !== null ? html`<dt>审核意见</dt><dd>${s.reviewComment}（${s.reviewedBy ?? ''}）</dd>` : null}
        ${s.publishedAt !== null ? html`<dt>公开时间</dt><dd>${fmtTime(s.publishedAt)}</dd>` : null}
      </dl>
      <${Ok} text=${ok} />
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      <div class="actions">
        ${writable ? html`<button class="primary" data-action="submit" disabled=${act.busy || s.entryCount === 0} onClick=${step(path + '/submit', {}, '已提交审核')}>提交审核</button>` : null}
        ${s.status === 'published' || s.status === 'superseded' ? html`
          <a class="button" href=${'api' + path + '/export.csv'} download>导出 CSV</a>
          <a class="button" href=${'api' + path + '/print'} target="_blank" rel="noopener">打印公示页</a>` : null}
      </div>
      ${reviewable ? html`<form class="review" onSubmit=${(e: Event) => e.preventDefault()}>
        <${Field} label="审核意见（退回时必填）">${(fid: string) => html`<textarea id=${fid} name="comment" rows="2" value=${comment} onInput=${(e: Event) => setComment((e.target as HTMLTextAreaElement).value)}></textarea>`}<//>
        <div class="actions">
          <button class="primary" type="button" data-action="approve" disabled=${act.busy || s.createdBy === 'user:' + session.user.id} onClick=${step(path + '/approve', {}, '已审核通过并公开')}>审核通过并公开</button>
          <button type="button" data-action="return" disabled=${act.busy || comment.trim() === ''} onClick=${step(path + '/return', { comment: comment.trim() }, '已退回')}>退回修改</button>
        </div></form>` : null}
      ${s.status === 'published' && (role === 'clerk' || role === 'admin') ? html`<form class="review" onSubmit=${(e: Event) => { e.preventDefault(); step(path + '/correct', { reason: reason.trim() }, '已建立更正草稿')() }}>
        <${Field} label="更正原因（会在电视上向村民展示）">${(fid: string) => html`<textarea id=${fid} name="reason" rows="2" required value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea>`}<//>
        <button type="submit" disabled=${act.busy || reason.trim() === ''}>更正</button></form>` : null}
    <//>
    ${writable ? html`<${Import} path=${path} onDone=${st.reload} />` : null}
    ${(s.changes ?? []).length > 0 ? html`<${Card} title="本次更正改动"><ul class="changes">${(s.changes ?? []).map((c) => html`<li>第 ${c.seq} 笔 ${FIELD[c.field] ?? c.field}：${c.before !== '' ? html`<del>${c.before}</del> → ` : ''}${c.after}</li>`)}</ul><//>` : null}
    ${(s.totals ?? []).length > 0 ? html`<${Card} title="分科目合计"><div class="table-wrap"><table>
      <thead><tr><th scope="col">科目</th><th scope="col" class="n">收入（元）</th><th scope="col" class="n">支出（元）</th></tr></thead>
      <tbody>${(s.totals ?? []).map((t) => html`<tr><td>${t.accountCode} ${t.accountName}</td><td class="n">${t.incomeCents > 0 ? yuan(t.incomeCents) : ''}</td><td class="n">${t.expenseCents > 0 ? yuan(t.expenseCents) : ''}</td></tr>`)}</tbody>
    </table></div><//>` : null}
    <${Card} title=${'明细（' + String(s.entries.length) + ' 笔）'}><${Entries} entries=${s.entries} /><//>`}`
}

function Entries ({ entries }: { entries: Entry[] }): unknown {
  if (entries.length === 0) return html`<p class="muted">还没有明细，请导入账簿。</p>`
  return html`<div class="table-wrap"><table class="entries">
    <thead><tr><th scope="col">日期</th><th scope="col">凭证号</th><th scope="col">科目</th><th scope="col">摘要</th><th scope="col" class="n">收入</th><th scope="col" class="n">支出</th><th scope="col">经办/审批</th></tr></thead>
    <tbody>${entries.map((e) => html`<tr><td>${e.date}</td><td>${e.voucherNo}</td><td>${e.accountCode} ${e.accountName}</td><td>${e.summary}</td>
      <td class="n">${e.incomeCents > 0 ? yuan(e.incomeCents) : ''}</td><td class="n">${e.expenseCents > 0 ? yuan(e.expenseCents) : ''}</td><td>${e.handler} / ${e.approver}</td></tr>`)}</tbody>
  </table></div>`
}

function Import ({ path, onDone }: { path: string, onDone: () => void }): unknown {
  const [preview, setPreview] = useState<string[][] | null>(null)
  const [errors, setErrors] = useState<Map<number, string[]>>(new Map())
  const [ok, setOk] = useState<string | null>(null)
  const act = useAction()
  const onFile = (e: Event): void => {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (file === undefined) return
    setOk(null); setErrors(new Map()); setPreview(null)
    void act.run(async () => {
      const xlsx = /\.xlsx$/i.test(file.name)
      const bytes = await file.arrayBuffer()
      if (!xlsx) setPreview(previewCsv(new TextDecoder('utf-8').decode(bytes)))
      try {
        const r = await post<{ entries: unknown[] }>(path + '/import', { filename: file.name, format: xlsx ? 'xlsx' : 'csv', contentBase64: base64(bytes) })
        setOk(`已导入 ${String(r.entries.length)} 笔明细`)
        onDone()
      } catch (err) {
        const rows = rowErrors(err)
        setErrors(rows)
        if (rows.size > 0 && err instanceof ApiError) throw new ApiError(err.status, err.code, `文件中有 ${String(rows.size)} 行有误，未导入任何明细；请改正后重新导入。`, err.body)
        throw err
      }
    })
  }
  return html`<${Card} title="导入账簿（CSV 或 Excel）">
    <${Field} label="选择文件" hint="列：日期、凭证号、科目代码、科目名称、摘要、收入、支出、经办人、审批人">${(id: string) => html`<input id=${id} name="ledger" type="file" accept=".csv,.xlsx,text/csv" onChange=${onFile} disabled=${act.busy} />`}<//>
    <${Ok} text=${ok} />
    ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    ${preview !== null && errors.size > 0 ? html`<div class="table-wrap"><table class="preview">
      <thead><tr><th scope="col">行</th>${(preview[0] ?? []).map((c) => html`<th scope="col">${c}</th>`)}<th scope="col">错误</th></tr></thead>
      <tbody>${preview.slice(1).map((cells, i) => { const errs = errors.get(i + 2); return html`<tr class=${errs !== undefined ? 'bad' : ''} data-row=${i + 2}>
        <th scope="row">${i + 2}</th>${cells.map((c) => html`<td>${c}</td>`)}<td class="row-error">${errs?.join('；') ?? ''}</td></tr>` })}</tbody>
    </table></div>` : null}
    ${preview === null && errors.size > 0 ? html`<ul class="row-errors">${[...errors.entries()].map(([row, msgs]) => html`<li>第 ${row} 行：${msgs.join('；')}</li>`)}</ul>` : null}
  <//>`
}
