// 财务公开: the published statements by period, newest first; OK opens one.
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { fullDate, periodLabel } from '../time.ts'
import { btn, empty, money, screenTitle } from '../ui.ts'

export const financeScreen: Screen = {
  live: true,
  render (ctx: Ctx): El {
    const list = ctx.state ? ctx.state.statements.slice(0) : []
    list.sort((a, b) => (a.periodStart < b.periodStart ? 1 : a.periodStart > b.periodStart ? -1 : b.publishedAt - a.publishedAt))
    const rows = list.slice(0, 24).map((st) => btn(ctx, 'st-' + st.id, 'row statement', [
      h('span', { class: 'tag' }, periodLabel(st.periodStart, st.periodEnd, st.periodKind)),
      h('span', { class: 'grow' }, [
        h('span', { class: 'line' }, [st.title, st.correction ? h('span', { class: 'corrected' }, '已更正') : null]),
        h('span', { class: 'meta line' }, '收入 ' + money(st.incomeCents) + ' · 支出 ' + money(st.expenseCents) + ' · 公布于 ' + fullDate(st.publishedAt))
      ])
    ], () => ctx.go('finance-detail', { id: st.id, page: 1 })))
    return h('div', { class: 'page' }, [
      screenTitle('财务公开', '村务监督委员会 · 民主理财小组审核后公示'),
      h('div', { class: 'list' }, rows.length ? rows : [empty('暂无公示')])
    ])
  }
}
