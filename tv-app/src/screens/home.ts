// Home: the four section tiles, the latest notices and an alert banner. Date, time and 农历 are in the
// header (#clock, #date, #lunar), which stays on every screen.
import type { TvState } from '../../../src/tv/tv-api.ts'
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { btn, empty, latest, noticeRow, section } from '../ui.ts'

// One row of four: Left/Right alone reach every tile, Down goes on to the notices (and the pairing
// button), Up comes back — a viewer hunting with any single arrow finds everything.
const TILES: Array<[string, string, string]> = [
  ['party', '智慧党建', '通知 · 会议 · 学习'],
  ['finance', '财务公开', '村级收支公示'],
  ['safety', '平安视角', '安全 · 紧急广播'],
  ['care', '智慧医养', '关爱老人 · 巡诊']
]

/** Why the banner shows, most serious first; null when nothing concerns this screen. */
export function bannerText (s: TvState | null, now: number): string | null {
  if (!s) return null
  if (s.broadcast && (s.broadcast.endsAt === null || s.broadcast.endsAt > now)) return '紧急广播:' + s.broadcast.title
  const hh = s.household
  if (hh) {
    for (let i = 0; i < hh.alerts.length; i++) {
      const a = hh.alerts[i]
      if (a && a.state !== 'resolved') return '本户提醒:' + a.statusText
    }
  }
  for (let i = 0; i < s.notices.length; i++) {
    const n = s.notices[i]
    if (n && n.priority === 'urgent' && (n.endsAt === null || n.endsAt > now)) return '村里紧急通知:' + n.title
  }
  return null
}

export const homeScreen: Screen = {
  live: true,
  render (ctx: Ctx): El {
    const s = ctx.state
    const banner = bannerText(s, ctx.now())
    const tiles = h('div', { class: 'tiles' }, TILES.map((t) => btn(ctx, 'tile-' + t[0], 'tile tile-' + t[0], [
      h('span', { class: 'tile-name' }, t[1]),
      h('span', { class: 'tile-sub' }, t[2])
    ], () => ctx.go(t[0] as 'party'), { 'data-tile': t[0] })))
    const notices = s ? latest(s.notices, 4) : []
    return h('div', { class: 'home' }, [
      banner ? btn(ctx, 'alert-banner', 'banner', [h('span', { class: 'tag' }, '提醒'), banner], () => ctx.go('safety'), { id: 'alert-banner' }) : null,
      tiles,
      section('最新通知', notices.length ? notices.map((n) => noticeRow(ctx, n, 'home-n-')) : [empty(s ? '暂无通知' : '正在连接村里的服务器…')], 'latest'),
      ctx.isPaired() ? null : btn(ctx, 'pair', 'btn pair', '绑定本户 · 显示配对码', () => ctx.go('pairing'), { 'data-action': 'pair' })
    ])
  }
}
