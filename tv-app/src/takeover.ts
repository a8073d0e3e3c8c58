// Full-screen takeovers: the check-in ("您还好吗?") and village emergency broadcasts. They sit in
// #takeover above whatever screen is showing, which stays rendered underneath and gets its focus back.
// - Check-in wins over a broadcast: the resident's own safety first. Only OK answers it; Back does
//   nothing (hiding it without answering would just let the alert escalate). It goes away when answered,
//   when the server ends it (checkin_end / state) or at expiresAt (the alert engine escalates).
// - A broadcast is dismissed with OK or Back for 10 minutes on this screen only, then takes over again
//   while it lasts; a new broadcast (another id) takes over at once.
import type { TvBroadcast, TvCheckIn, TvState } from '../../src/tv/tv-api.ts'
import type { Ctx } from './ctx.ts'
import { byId, clear, h, type El } from './dom.ts'
import { focusKey, moveFocus } from './focus.ts'
import type { KeyName } from './keys.ts'
import { BROADCAST_KIND } from './screens/safety.ts'
import { dateTime, pad2 } from './time.ts'

export const DISMISS_MS = 10 * 60 * 1000
const THANKS_MS = 4000

export interface Takeover {
  fromState (s: TvState | null): void
  checkIn (c: TvCheckIn): void
  checkInEnd (alertId: string): void
  broadcast (b: TvBroadcast): void
  broadcastEnd (id: string): void
  showBroadcast (): void
  tick (): void
  active (): boolean
  key (name: KeyName): void
}

export interface TakeoverDeps { now (): number, api: Ctx['api'], refresh (): void, onClose (): void }

export function createTakeover (deps: TakeoverDeps): Takeover {
  const root = byId('takeover') as El
  let checkin: TvCheckIn | null = null
  let answered: { [alertId: string]: boolean } = {}
  let answeredCount = 0
  let thanksUntil = 0
  let sending = false
  let msg = ''
  let bc: TvBroadcast | null = null
  let dismissed: { id: string, until: number } | null = null
  let shown = ''

  function decide (now: number): string {
    if (thanksUntil > now) return 'thanks'
    if (checkin && !answered[checkin.alertId] && checkin.expiresAt > now) return 'checkin:' + checkin.alertId
    if (bc && (bc.endsAt === null || bc.endsAt > now) && !(dismissed && dismissed.id === bc.id && dismissed.until > now)) return 'broadcast:' + bc.id
    return ''
  }

  function remaining (now: number): string {
    const s = checkin ? Math.max(0, Math.ceil((checkin.expiresAt - now) / 1000)) : 0
    return '还剩 ' + pad2(Math.floor(s / 60)) + ':' + pad2(s % 60)
  }

  function renderCheckin (now: number): El[] {
    return [h('div', { class: 'to-box' }, [
      h('p', { class: 'to-big' }, '您还好吗?'),
      h('p', { class: 'to-mid' }, '按确认键报平安'),
      h('p', { id: 'takeover-countdown', class: 'to-count' }, remaining(now)),
      h('div', { class: 'to-btn', 'data-focus': 'checkin-ok', tabindex: 0 }, '确认 · 我很好'),
      h('p', { id: 'takeover-msg', class: 'to-msg' }, msg)
    ])]
  }

  function renderBroadcast (b: TvBroadcast): El[] {
    return [h('div', { class: 'to-box' }, [
      h('p', { class: 'to-kind' }, (BROADCAST_KIND[b.kind] || '紧急') + ' · 紧急广播'),
      h('h1', null, b.title),
      h('div', { class: 'to-body', 'data-focus': 'broadcast-body', 'data-scroll': true, tabindex: 0 }, b.body.split(/\n+/).slice(0, 100).map((p) => h('p', null, p))),
      h('p', { class: 'to-msg' }, '发布于 ' + dateTime(b.startedAt)),
      h('div', { class: 'to-btn', 'data-focus': 'broadcast-ok', tabindex: 0 }, '知道了(10分钟后再次提醒)')
    ])]
  }

  function update (force?: boolean): void {
    const now = deps.now()
    const want = decide(now)
    if (want === shown && !force) {
      const c = byId('takeover-countdown')
      if (c && want.indexOf('checkin:') === 0) c.textContent = remaining(now)
      return
    }
    const was = shown
    shown = want
    clear(root)
    if (!want) {
      root.hidden = true
      root.removeAttribute('data-kind')
      if (was) deps.onClose()
      return
    }
    const kind = want.indexOf('broadcast:') === 0 ? 'broadcast' : 'checkin'
    const children = want === 'thanks'
      ? [h('div', { class: 'to-box' }, [h('p', { class: 'to-big' }, '已报平安,谢谢!'), h('div', { class: 'to-btn', 'data-focus': 'thanks-ok', tabindex: 0 }, '好的')])]
      : kind === 'checkin' ? renderCheckin(now) : renderBroadcast(bc as TvBroadcast)
    children.forEach((c) => root.appendChild(c))
    root.setAttribute('data-kind', kind)
    root.hidden = false
    focusKey(root, kind === 'broadcast' ? 'broadcast-ok' : null)
  }

  function answer (): void {
    if (!checkin || sending) return
    const c = checkin
    sending = true
    msg = '正在发送…'
    update(true)
    deps.api('POST', 'checkin', { alertId: c.alertId }, (err, res) => {
      sending = false
      // 404/409/410: the alert was already closed by someone else — the resident is fine either way.
      const done = !err && ((res.status >= 200 && res.status < 300) || res.status === 404 || res.status === 409 || res.status === 410)
      if (done) {
        if (answeredCount > 50) { answered = {}; answeredCount = 0 } // bounded over months of check-ins
        answered[c.alertId] = true
        answeredCount++
        msg = ''
        thanksUntil = deps.now() + THANKS_MS
        deps.refresh()
      } else {
        msg = '网络不通,请再按一次确认键'
      }
      update(true)
    })
  }

  return {
    fromState (s) {
      const c = s && s.household ? s.household.checkIn : null
      // A state generated before an event arrived over SSE must not undo it (the fetch raced the event).
      const at = s ? s.generatedAt : 0
      if (c || !checkin || checkin.askedAt < at) checkin = c
      const b = s ? s.broadcast : null
      if (b || !bc || bc.startedAt < at) bc = b
      update()
    },
    checkIn (c) { checkin = c; update() },
    checkInEnd (alertId) { if (checkin && checkin.alertId === alertId) { checkin = null; update() } },
    broadcast (b) { bc = b; update() },
    broadcastEnd (id) { if (bc && bc.id === id) { bc = null; update() } },
    showBroadcast () { dismissed = null; update() },
    tick () { update() },
    active () { return shown !== '' },
    key (name) {
      if (shown === 'thanks') { if (name === 'ok' || name === 'back') { thanksUntil = 0; update() } return }
      const isBroadcast = shown.indexOf('broadcast:') === 0
      if (name === 'ok') {
        if (isBroadcast) { dismissed = { id: (bc as TvBroadcast).id, until: deps.now() + DISMISS_MS }; update() } else answer()
      } else if (name === 'back') {
        if (isBroadcast) { dismissed = { id: (bc as TvBroadcast).id, until: deps.now() + DISMISS_MS }; update() }
      } else {
        moveFocus(root, name)
      }
    }
  }
}
