// One published statement: who reviewed it and when, a visible 已更正 mark with the reason and what
// changed (a correction must never silently replace what was shown), totals, a bar chart by category
// drawn with divs, and the entries page by page. Pages fetched are cached for offline viewing.
import type { TvStatementDetail } from '../../../src/tv/tv-api.ts'
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { cacheDetail, cachedDetail } from '../storage.ts'
import { fullDate, periodLabel } from '../time.ts'
import { btn, empty, money, screenTitle, section } from '../ui.ts'

interface Visit { key: string, data: TvStatementDetail | null, loading: boolean, failed: string | null, prev: TvStatementDetail | null }
let visit: Visit | null = null
let retry: ReturnType<typeof setTimeout> | null = null
const RETRY_MS = 30000

const FIELD: { [f: string]: string } = { income: '收入', expense: '支出', incomeCents: '收入', expenseCents: '支出', summary: '摘要', accountName: '科目', accountCode: '科目代码', date: '日期', voucherNo: '凭证号', handler: '经办人', approver: '审批人' }

function load (ctx: Ctx, id: string, page: number, v: Visit): void {
  if (v.loading) return
  v.loading = true
  ctx.api('GET', 'finance/' + encodeURIComponent(id) + '?page=' + page, undefined, (err, res) => {
    if (visit !== v) return // left the screen or turned the page meanwhile
    v.loading = false
    if (!err && res.status === 200 && res.body) {
      v.data = res.body as TvStatementDetail
      v.failed = null
      cacheDetail(v.key, v.data)
    } else {
      v.failed = res.status === 404 ? '这份公示已撤下' : '网络不通,稍后自动重试'
      if (res.status !== 404) retry = setTimeout(() => { retry = null; if (visit === v) load(ctx, id, page, v) }, RETRY_MS)
    }
    ctx.rerender()
  })
}

/** "收入:3,000.00 → 300.00"; whole lines added or removed by the correction say so. */
function change (c: { field: string, before: string, after: string }): string {
  if (c.field === 'added') return '新增:' + c.after
  if (c.field === 'removed') return '删除:' + c.before
  return (FIELD[c.field] || c.field) + ':' + c.before + ' → ' + c.after
}

function chart (d: TvStatementDetail): El {
  const rows = d.totals.slice(0, 10)
  let max = 1
  rows.forEach((t) => { max = Math.max(max, t.incomeCents, t.expenseCents) })
  // The longest bar takes 70 % of the row, leaving room for its figure.
  const bar = (cls: string, v: number): El => h('div', { class: 'bar-track' }, [
    h('div', { class: 'bar ' + cls, style: 'width:' + Math.max(1, Math.round(v / max * 70)) + '%' }),
    h('span', { class: 'bar-val' }, money(v))
  ])
  return h('div', { class: 'chart' }, rows.map((t) => h('div', { class: 'chart-row' }, [
    h('span', { class: 'chart-name' }, t.accountName),
    h('div', { class: 'chart-bars' }, [
      t.incomeCents ? bar('inc', t.incomeCents) : null,
      t.expenseCents ? bar('exp', t.expenseCents) : null,
      !t.incomeCents && !t.expenseCents ? h('span', { class: 'bar-val' }, '—') : null
    ])
  ])))
}

export const financeDetailScreen: Screen = {
  live: false,
  leave () { visit = null; if (retry) { clearTimeout(retry); retry = null } },
  render (ctx: Ctx, params): El {
    const id = String(params.id)
    const page = Number(params.page) || 1
    const key = id + ':' + page
    if (!visit || visit.key !== key) {
      if (retry) { clearTimeout(retry); retry = null }
      // While a new page loads, the page before stays on screen (focus stays on the pager).
      const prev = visit && visit.key.split(':')[0] === id ? visit.data || visit.prev : null
      visit = { key, data: cachedDetail(key), loading: false, failed: null, prev }
      load(ctx, id, page, visit)
    }
    const d = visit.data || visit.prev
    const pending = !visit.data
    if (!d) {
      return h('div', { class: 'page' }, [
        screenTitle('财务公开'),
        empty(visit.failed || '正在加载…'),
        btn(ctx, 'fin-back', 'btn', '返回', () => ctx.back())
      ])
    }
    const st = d.statement
    const changed: { [seq: number]: boolean } = {}
    d.changes.forEach((c) => { changed[c.seq] = true })
    const balance = st.incomeCents - st.expenseCents
    const out: Array<El | null> = [
      screenTitle(st.title, periodLabel(st.periodStart, st.periodEnd, st.periodKind) + (st.revision > 1 ? ' · 第' + st.revision + '版' : '')),
      btn(ctx, 'fin-summary', 'summary', [
        h('p', null, '公布日期 ' + fullDate(st.publishedAt) + ' · 审核 ' + st.reviewedBy + '(' + fullDate(st.reviewedAt) + ')'),
        h('p', { class: 'totals' }, [
          h('span', { class: 'inc-text' }, '收入合计 ' + money(st.incomeCents)),
          h('span', { class: 'exp-text' }, '支出合计 ' + money(st.expenseCents)),
          h('span', null, '结余 ' + money(balance))
        ]),
        visit.failed ? h('p', { class: 'meta' }, (pending ? '第' + page + '页没有加载 · ' : '显示的是本机保存的内容 · ') + visit.failed) : pending ? h('p', { class: 'meta' }, '正在加载第' + page + '页…') : null
      ], () => undefined),
      st.correction
        ? btn(ctx, 'fin-correction', 'correction', [
          h('p', null, [h('span', { class: 'corrected' }, '已更正'), '更正原因:' + st.correction.reason]),
          h('ul', null, d.changes.slice(0, 12).map((c) => h('li', null, '第' + c.seq + '笔 ' + change(c))))
        ], () => undefined, { 'data-correction': true })
        : null,
      section('收支分类', d.totals.length ? [h('p', { class: 'legend' }, [h('span', { class: 'inc-text' }, '■ 收入'), h('span', { class: 'exp-text' }, '■ 支出')]), chart(d)] : [empty()]),
      section('收支明细', d.entries.length
        ? d.entries.slice(0, 50).map((e) => btn(ctx, 'entry-' + e.seq, 'row entry' + (changed[e.seq] ? ' changed' : ''), [
          h('span', { class: 'tag' }, e.date.slice(5)),
          h('span', { class: 'grow' }, [
            h('span', { class: 'line' }, [e.summary, changed[e.seq] ? h('span', { class: 'corrected' }, '已更正') : null]),
            h('span', { class: 'meta line' }, e.accountName + ' · 凭证 ' + e.voucherNo + ' · 经办 ' + e.handler + ' · 审批 ' + e.approver)
          ]),
          h('span', { class: e.incomeCents ? 'amount inc-text' : 'amount exp-text' }, e.incomeCents ? '+' + money(e.incomeCents) : '-' + money(e.expenseCents))
        ], () => undefined))
        : [empty('本页没有明细')]),
      h('div', { class: 'pager' }, [
        page > 1 ? btn(ctx, 'page-prev', 'btn', '上一页', () => ctx.replace('finance-detail', { id, page: page - 1 })) : null,
        h('span', { id: 'page' }, '第 ' + d.page + '/' + d.pageCount + ' 页'),
        page < d.pageCount ? btn(ctx, 'page-next', 'btn', '下一页', () => ctx.replace('finance-detail', { id, page: page + 1 })) : null
      ])
    ]
    return h('div', { class: 'page finance-detail' }, out)
  }
}
