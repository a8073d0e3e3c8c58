// 智慧医养. A household screen with a monitored resident sees today's activity ("活动正常 · 最近活动 09:42", a
// 24-hour timeline) and the away/holiday switch (with a confirm: away mode pauses the inactivity alerts);
// every screen sees health notices and the medical team's visiting schedule.
import type { TvHousehold } from '../../../src/tv/tv-api.ts'
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { cstParts, dateTime, hhmm } from '../time.ts'
import { btn, empty, latest, noticeRow, screenTitle, section } from '../ui.ts'

const STATUS: { [s: string]: string } = { normal: '活动正常', quiet: '今天活动偏少', alert: '正在联系家人和网格员', away: '外出中', no_data: '暂时没有数据' }
const DAY = 86400000

/** "活动正常 · 最近活动 09:42" */
export function careStatus (hh: TvHousehold): string {
  const c = hh.care
  return (STATUS[c.status] || c.status) + (c.lastActivityAt ? ' · 最近活动 ' + hhmm(c.lastActivityAt) : '')
}

// Per-visit state: the confirm panel and the request in flight. Reset when the screen is left.
let confirm = false
let busy = false
let message = ''

function setAway (ctx: Ctx, until: number | null): void {
  if (busy) return
  busy = true
  message = '正在保存…'
  ctx.rerender()
  ctx.api('POST', 'away', { until }, (err, res) => {
    busy = false
    const ok = !err && res.status >= 200 && res.status < 300
    message = ok ? (until ? '已开启外出模式' : '欢迎回家,已恢复看护') : '网络不通,没有保存,请稍后再试'
    if (ok) { confirm = false; ctx.refresh(); ctx.rerenderFocus('away'); return }
    ctx.rerender()
  })
}

function timeline (hh: TvHousehold, now: number): El {
  let max = 1
  hh.care.hourly.forEach((n) => { max = Math.max(max, n) })
  const hour = cstParts(now).hour
  return h('div', { class: 'timeline' }, [
    h('div', { class: 'hours' }, hh.care.hourly.map((n, i) => h('div', { class: 'hour' + (i === hour ? ' now' : '') + (i > hour ? ' later' : '') }, [
      h('div', { class: 'hour-bar', style: 'height:' + (n > 0 ? Math.max(8, Math.round(n / max * 100)) : 0) + '%' })
    ]))),
    h('div', { class: 'hour-axis' }, ['0时', '6时', '12时', '18时', '24时'].map((t) => h('span', null, t)))
  ])
}

/** The household's own block. A home without sensors still gets the away switch (it is the household's
 * setting either way) and says plainly that nothing is monitored. */
function household (ctx: Ctx, hh: TvHousehold, now: number): El {
  const away = hh.care.awayUntil !== null && hh.care.awayUntil > now
  const items: Array<El | null> = [
    h('p', { id: 'care-status', class: 'status status-' + hh.care.status }, hh.monitored ? careStatus(hh) : '本户未安装看护设备'),
    hh.monitored ? timeline(hh, now) : null,
    btn(ctx, 'away', 'btn switch' + (away ? ' on' : ''), away
      ? '外出模式:已开启,至 ' + dateTime(hh.care.awayUntil as number) + ' · 按确认键结束'
      : '外出模式:关闭 · 出远门时按确认键开启', () => { confirm = true; message = ''; ctx.rerenderFocus(away ? 'away-off' : 'away-1') }, { 'data-action': 'away' })
  ]
  if (confirm) {
    items.push(h('div', { class: 'confirm' }, away
      ? [h('p', null, '确认已经回家?回家后恢复看护。'), btn(ctx, 'away-off', 'btn', '确认回家', () => setAway(ctx, null)), btn(ctx, 'away-cancel', 'btn', '取消', () => { confirm = false; ctx.rerenderFocus('away') })]
      : [h('p', null, '外出期间不会因为没有活动而提醒家人。外出多久?'),
          btn(ctx, 'away-1', 'btn', '1天', () => setAway(ctx, now + DAY)),
          btn(ctx, 'away-3', 'btn', '3天', () => setAway(ctx, now + 3 * DAY)),
          btn(ctx, 'away-7', 'btn', '7天', () => setAway(ctx, now + 7 * DAY)),
          btn(ctx, 'away-cancel', 'btn', '取消', () => { confirm = false; ctx.rerenderFocus('away') })]))
  }
  if (message) items.push(h('p', { class: 'meta', id: 'away-message' }, message))
  return section('今天的活动 · ' + hh.homeLabel, items)
}

export const careScreen: Screen = {
  live: true,
  leave () { confirm = false; message = '' },
  back (ctx) { if (!confirm) return false; confirm = false; ctx.rerenderFocus('away'); return true },
  render (ctx: Ctx): El {
    const s = ctx.state
    const now = ctx.now()
    const hh = s ? s.household : null
    const visits = s ? s.careVisits.filter((v) => (v.endsAt || v.startsAt) >= now - DAY).sort((a, b) => a.startsAt - b.startsAt).slice(0, 8) : []
    const visitList = section('巡诊安排', visits.length
      ? visits.map((v) => btn(ctx, 'visit-' + v.id, 'row', [
        h('span', { class: 'tag' }, dateTime(v.startsAt).split(' ')[0] as string),
        h('span', { class: 'grow' }, [h('span', { class: 'line' }, v.team + ' · ' + v.place), h('span', { class: 'meta line' }, hhmm(v.startsAt) + (v.endsAt ? '–' + hhmm(v.endsAt) : '') + (v.services ? ' · ' + v.services : ''))])
      ], () => undefined))
      : [empty('近期没有巡诊安排')])
    const health = s ? latest(s.notices, 6, (n) => n.category === 'health') : []
    const healthList = section('健康通知', health.length ? health.map((n) => noticeRow(ctx, n, 'care-n-')) : [empty()])
    const left = hh ? household(ctx, hh, now) : healthList
    const right = hh ? [visitList, healthList] : [visitList]
    return h('div', { class: 'page' }, [screenTitle('智慧医养', '关爱独居老人 · 医疗团队巡诊'), h('div', { class: 'cols' }, [h('div', { class: 'col' }, [left]), h('div', { class: 'col' }, right)])])
  }
}
