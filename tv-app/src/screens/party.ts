// 智慧党建: party notices, the meeting calendar (三会一课 and 主题党日) and study material with images.
import type { TvMeeting } from '../../../src/tv/tv-api.ts'
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { cstDayNumber, dateTime, hhmm } from '../time.ts'
import { btn, empty, latest, noticeRow, screenTitle, section } from '../ui.ts'

export const MEETING_KIND: { [k: string]: string } = {
  branch_assembly: '支部党员大会',
  branch_committee: '支部委员会',
  group_meeting: '党小组会',
  party_lecture: '党课',
  theme_day: '主题党日'
}

/** Upcoming and today's meetings first (soonest on top), then the most recent past ones. */
export function calendar (meetings: TvMeeting[], now: number, max: number): TvMeeting[] {
  const today = cstDayNumber(now)
  const upcoming = meetings.filter((m) => cstDayNumber(m.startsAt) >= today).sort((a, b) => a.startsAt - b.startsAt)
  const past = meetings.filter((m) => cstDayNumber(m.startsAt) < today).sort((a, b) => b.startsAt - a.startsAt)
  return upcoming.concat(past).slice(0, max)
}

export const partyScreen: Screen = {
  live: true,
  render (ctx: Ctx): El {
    const s = ctx.state
    const now = ctx.now()
    const notices = s ? latest(s.notices, 8, (n) => n.category === 'party') : []
    const study = s ? latest(s.notices, 6, (n) => n.category === 'study') : []
    const meetings = s ? calendar(s.meetings, now, 10) : []
    const today = cstDayNumber(now)
    return h('div', { class: 'page' }, [
      screenTitle('智慧党建', '三会一课 · 主题党日 · 学习资料'),
      h('div', { class: 'cols' }, [
        h('div', { class: 'col' }, [
          section('党建通知', notices.length ? notices.map((n) => noticeRow(ctx, n, 'party-n-')) : [empty()]),
          section('学习资料', study.length
            ? study.map((n) => {
              const img = n.images[0]
              return btn(ctx, 'study-' + n.id, 'row study', [
                img ? h('img', { class: 'thumb', src: img.url, alt: '' }) : null,
                h('span', { class: 'grow' }, [h('span', { class: 'line' }, n.title), img ? h('span', { class: 'meta line' }, img.caption) : null])
              ], () => ctx.go('notice', { id: n.id }))
            })
            : [empty()])
        ]),
        h('div', { class: 'col' }, [
          section('会议日历', meetings.length
            ? meetings.map((m) => btn(ctx, 'meet-' + m.id, 'row meeting' + (cstDayNumber(m.startsAt) < today ? ' past' : ''), [
              h('span', { class: 'tag' }, MEETING_KIND[m.kind] || '会议'),
              h('span', { class: 'grow' }, [
                h('span', { class: 'line' }, m.title),
                h('span', { class: 'meta line' }, dateTime(m.startsAt) + (m.endsAt ? '–' + hhmm(m.endsAt) : '') + ' · ' + m.place + (m.note ? ' · ' + m.note : ''))
              ])
            ], () => undefined))
            : [empty('近期没有会议安排')])
        ])
      ])
    ])
  }
}
