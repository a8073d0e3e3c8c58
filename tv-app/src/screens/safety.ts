// 平安视角: the emergency broadcast if one is on, village safety notices, and — only on a screen paired
// to a household — that household's own alerts and where they stand. Nothing about other homes, ever.
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { dateTime } from '../time.ts'
import { btn, empty, latest, noticeRow, screenTitle, section } from '../ui.ts'

export const BROADCAST_KIND: { [k: string]: string } = { typhoon: '台风', flood: '洪水', fire: '火灾', earthquake: '地震', other: '紧急' }
const ALERT_TYPE: { [t: string]: string } = { inactivity: '长时间没有活动', not_up: '早上没有起床活动', home_offline: '家中设备离线', low_battery: '传感器电量低', sensor_silent: '传感器没有信号' }
const ALERT_STATE: { [s: string]: string } = { open: '处理中', acknowledged: '已有人确认', resolved: '已解决' }

export const safetyScreen: Screen = {
  live: true,
  render (ctx: Ctx): El {
    const s = ctx.state
    const now = ctx.now()
    const b = s && s.broadcast && (s.broadcast.endsAt === null || s.broadcast.endsAt > now) ? s.broadcast : null
    const notices = s ? latest(s.notices, 10, (n) => n.category === 'safety') : []
    const left: El[] = []
    if (b) {
      left.push(section('紧急广播', [btn(ctx, 'broadcast', 'row urgent', [
        h('span', { class: 'tag' }, BROADCAST_KIND[b.kind] || '紧急'),
        h('span', { class: 'grow' }, [h('span', { class: 'line' }, b.title), h('span', { class: 'meta line' }, '发布于 ' + dateTime(b.startedAt) + ' · 按确认键查看')])
      ], () => ctx.showBroadcast())]))
    }
    left.push(section('平安通知', notices.length ? notices.map((n) => noticeRow(ctx, n, 'safety-n-')) : [empty('暂无安全通知')]))
    const cols: El[] = [h('div', { class: 'col' }, left)]
    const hh = s ? s.household : null
    if (hh) {
      const alerts = hh.alerts.slice(0).sort((a, c) => c.openedAt - a.openedAt).slice(0, 8)
      cols.push(h('div', { class: 'col' }, [section('本户提醒 · ' + hh.homeLabel, alerts.length
        ? alerts.map((a) => btn(ctx, 'alert-' + a.id, 'row' + (a.state === 'resolved' ? ' past' : ' urgent'), [
          h('span', { class: 'tag' }, ALERT_STATE[a.state] || a.state),
          h('span', { class: 'grow' }, [
            h('span', { class: 'line' }, ALERT_TYPE[a.type] || a.type),
            h('span', { class: 'meta line' }, a.statusText + ' · ' + dateTime(a.openedAt) + (a.resolvedAt ? ' 至 ' + dateTime(a.resolvedAt) : ''))
          ])
        ], () => undefined))
        : [empty('本户一切平安')])]))
    }
    return h('div', { class: 'page' }, [screenTitle('平安视角', '安全通知 · 紧急广播'), h('div', { class: 'cols' }, cols)])
  }
}
