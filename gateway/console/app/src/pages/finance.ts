/// <reference lib="dom" />
// 财务公开: the statements of my village(s) and a form for a new period. One statement's editor, review and
// correction live in finance-statement.ts.
import { useState } from 'preact/hooks'
import { get, post, q, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, PERIOD_KIND, STATEMENT_STATUS, Status, fmtTime, useAction, useLoad, yuan } from '../ui.ts'
import { Statement } from './finance-statement.ts'
import { useVillages, VillageSelect } from './places.ts'

export interface StatementRow {
  id: string, villageId: string, periodKind: string, periodStart: string, periodEnd: string, title: string, status: string, revision: number,
  supersedesId: string | null, correctionReason: string | null, createdBy: string, createdAt: number, submittedAt: number | null,
  reviewedBy: string | null, reviewedAt: number | null, reviewComment: string | null, publishedAt: number | null,
  incomeCents: number, expenseCents: number, entryCount: number
}
export const FINANCE = '/finance/statements'

export function Finance ({ session, args }: { session: Session, args: string[] }): unknown {
  if (args[0] !== undefined) return html`<${Statement} session=${session} id=${args[0]} />`
  return html`<${StatementList} session=${session} />`
}

/** First and last day of the period that starts in `month` (YYYY-MM). */
export function periodOf (kind: string, month: string): { start: string, end: string } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const startMonth = kind === 'year' ? 1 : kind === 'quarter' ? Math.floor((m - 1) / 3) * 3 + 1 : m
  const months = kind === 'year' ? 12 : kind === 'quarter' ? 3 : 1
  const endIndex = y * 12 + startMonth - 1 + months - 1
  const ey = Math.floor(endIndex / 12)
  const em = endIndex % 12 + 1
  const last = new Date(Date.UTC(ey, em, 0)).getUTCDate()
  const p2 = (n: number): string => String(n).padStart(2, '0')
  return { start: `${y}-${p2(startMonth)}-01`, end: `${ey}-${p2(em)}-${p2(last)}` }
}

function StatementList ({ session }: { session: Session }): unknown {
  const villages = useVillages()
  const [villageId, setVillageId] = useState('')
  const vid = villageId !== '' ? villageId : villages.data?.[0]?.id ?? ''
  const list = useLoad(() => (vid === '' ? Promise.resolve([]) : get<StatementRow[]>(FINANCE + q({ villageId: vid }))), [vid])
  const canCreate = session.user.role === 'clerk' || session.user.role === 'admin'
  const rows = [...(list.data ?? [])].sort((a, b) => b.periodStart.localeCompare(a.periodStart) || b.revision - a.revision)
  return html`<${Card} title="财务公开">
      <${VillageSelect} villages=${villages.data ?? []} value=${vid} onChange=${setVillageId} />
      <${Status} loading=${list.loading && list.data === null} error=${list.error ?? villages.error} />
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">标题</th><th scope="col">期间</th><th scope="col">状态</th><th scope="col" class="n">收入（元）</th><th scope="col" class="n">支出（元）</th><th scope="col">更新</th></tr></thead>
        <tbody>${rows.map((s) => html`<tr data-statement=${s.id}>
          <td><a href=${'#/finance/' + encodeURIComponent(s.id)}>${s.title}</a>${s.revision > 1 ? html` <span class="badge">第${s.revision}版</span>` : null}</td>
          <td>${PERIOD_KIND[s.periodKind] ?? s.periodKind} ${s.periodStart} 至 ${s.periodEnd}</td>
          <td><span class=${'badge st-' + s.status}>${STATEMENT_STATUS[s.status] ?? s.status}</span></td>
          <td class="n">${yuan(s.incomeCents)}</td><td class="n">${yuan(s.expenseCents)}</td>
          <td>${fmtTime(s.publishedAt ?? s.reviewedAt ?? s.submittedAt ?? s.createdAt)}</td></tr>`)}</tbody>
      </table></div>
      ${list.data !== null && rows.length === 0 ? html`<p class="muted">还没有财务公开表。</p>` : null}
      ${vid !== '' ? html`<${VerifyChain} villageId=${vid} />` : null}
    <//>
    ${canCreate && vid !== '' ? html`<${NewStatement} villageId=${vid} />` : null}`
}

/** Anyone may re-check that no published figure was altered afterwards (the per-village hash chain). */
function VerifyChain ({ villageId }: { villageId: string }): unknown {
  const [report, setReport] = useState<{ ok: boolean, checked: number, firstBadId?: string } | null>(null)
  const act = useAction()
  const check = (): void => { setReport(null); void act.run(async () => { setReport(await get(`/finance/chain${q({ villageId })}`)) }) }
  return html`<div class="actions">
    <button data-action="verify-chain" disabled=${act.busy} onClick=${check}>核验公开记录未被篡改</button>
    ${report !== null ? html`<span role="status" data-chain=${report.ok ? 'ok' : 'bad'} class=${report.ok ? 'ok' : 'error'}>${report.ok
      ? `核验通过：${report.checked} 份已公开报表均未被改动`
      : `核验失败：报表 ${report.firstBadId ?? ''} 在公开后被改动`}</span>` : null}
    ${act.error !== null ? html`<span class="error" role="alert">${act.error}</span>` : null}
  </div>`
}

function NewStatement ({ villageId }: { villageId: string }): unknown {
  const [kind, setKind] = useState('month')
  const [month, setMonth] = useState(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7))
  const [title, setTitle] = useState('')
  const act = useAction()
  const period = /^\d{4}-\d{2}$/.test(month) ? periodOf(kind, month) : null
  const submit = (e: Event): void => {
    e.preventDefault()
    if (period === null) { act.setError('请选择月份'); return }
    void act.run(async () => {
      const s = await post<StatementRow>(FINANCE, { villageId, periodKind: kind, periodStart: period.start, periodEnd: period.end, title: title.trim() })
      location.hash = '#/finance/' + encodeURIComponent(s.id)
    })
  }
  return html`<${Card} title="新建财务公开表"><form class="row-form" onSubmit=${submit}>
    <${Field} label="公开周期">${(id: string) => html`<select id=${id} name="periodKind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value)}>
      ${Object.keys(PERIOD_KIND).map((k) => html`<option value=${k}>${PERIOD_KIND[k]}</option>`)}</select>`}<//>
    <${Field} label="起始月份" hint=${period !== null ? `${period.start} 至 ${period.end}` : ''}>${(id: string) => html`<input id=${id} name="month" type="month" required value=${month} onInput=${(e: Event) => setMonth((e.target as HTMLInputElement).value)} />`}<//>
    <${Field} label="标题">${(id: string) => html`<input id=${id} name="title" required maxlength="200" placeholder="例如：2026年10月财务收支公开" value=${title} onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} />`}<//>
    ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <button class="primary" type="submit" disabled=${act.busy}>创建草稿</button>
  </form><//>`
}
