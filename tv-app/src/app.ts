// The screen stack and rendering. One container (#screen) gets its content replaced on every render;
// actions live in a map rebuilt per render, so no listener or closure outlives the screen it belongs to.
import type { TvState } from '../../src/tv/tv-api.ts'
import type { Ctx, Params, Screen, ScreenName } from './ctx.ts'
import { byId, clear, doc, type El } from './dom.ts'
import { focusKey, focusables } from './focus.ts'
import { lunarLabel } from './lunar.ts'
import { dateWithWeekday, hhmm, mmddHhmm } from './time.ts'
import { homeScreen } from './screens/home.ts'
import { partyScreen } from './screens/party.ts'
import { financeScreen } from './screens/finance.ts'
import { financeDetailScreen } from './screens/finance-detail.ts'
import { safetyScreen } from './screens/safety.ts'
import { careScreen } from './screens/care.ts'
import { noticeScreen } from './screens/notice.ts'
import { pairingScreen } from './screens/pairing.ts'

const SCREENS: { [name: string]: Screen } = {
  home: homeScreen,
  party: partyScreen,
  finance: financeScreen,
  'finance-detail': financeDetailScreen,
  safety: safetyScreen,
  care: careScreen,
  notice: noticeScreen,
  pairing: pairingScreen
}
/** Back walks up at most this far; deeper "go"s replace the oldest level (a remote can't loop us). */
const MAX_DEPTH = 8

interface Entry { name: ScreenName, params: Params, focus: string | null }

export interface AppHooks {
  now (): number
  api: Ctx['api']
  isPaired (): boolean
  paired (token: string): void
  refresh (): void
  showBroadcast (): void
  /** True while a takeover holds the focus. */
  takeoverActive (): boolean
}

export interface App {
  ctx: Ctx
  setState (s: TvState | null): void
  setStale (fetchedAt: number | null): void
  tick (): void
  key (name: 'ok' | 'back'): void
  rememberFocus (): void
  refocus (): void
  current (): ScreenName
}

export function createApp (hooks: AppHooks): App {
  const container = byId('screen') as El
  let stack: Entry[] = [{ name: 'home', params: {}, focus: null }]
  let actions: { [key: string]: () => void } = {}
  let signature = ''
  let staleSince: number | null = null

  const top = (): Entry => stack[stack.length - 1] as Entry

  const ctx: Ctx = {
    state: null,
    now: hooks.now,
    go (name, params) {
      rememberFocus()
      leave()
      stack.push({ name, params: params || {}, focus: null })
      if (stack.length > MAX_DEPTH) stack = stack.slice(stack.length - MAX_DEPTH)
      render()
    },
    replace (name, params) {
      if (top().name !== name) leave()
      stack[stack.length - 1] = { name, params: params || {}, focus: top().focus }
      render()
    },
    back () {
      // Home is the root: Back there does nothing (it must not exit the app or blank the screen).
      if (stack.length <= 1) { if (top().name !== 'home') { leave(); stack = [{ name: 'home', params: {}, focus: null }]; render() } return }
      leave()
      stack.pop()
      render()
    },
    on (key, fn) { actions[key] = fn },
    rerender () { rememberFocus(); render() },
    rerenderFocus (key) { top().focus = key; render() },
    api: hooks.api,
    isPaired: hooks.isPaired,
    paired: hooks.paired,
    refresh: hooks.refresh,
    showBroadcast: hooks.showBroadcast
  }

  function leave (): void {
    const s = SCREENS[top().name]
    if (s && s.leave) s.leave()
  }

  function render (): void {
    actions = {}
    const e = top()
    const el = (SCREENS[e.name] as Screen).render(ctx, e.params)
    clear(container)
    container.appendChild(el)
    doc.body.setAttribute('data-screen', e.name)
    if (!hooks.takeoverActive()) focusKey(container, e.focus)
  }

  function rememberFocus (): void {
    const a = doc.activeElement
    if (a && a.getAttribute('data-focus') && focusables(container).indexOf(a) >= 0) top().focus = a.getAttribute('data-focus')
  }

  function setText (id: string, text: string): void {
    const el = byId(id)
    if (el && el.textContent !== text) el.textContent = text
  }

  function tick (): void {
    const now = hooks.now()
    setText('clock', hhmm(now))
    setText('date', dateWithWeekday(now))
    setText('lunar', lunarLabel(now))
    const s = ctx.state
    setText('updated-at', staleSince !== null ? (staleSince > 0 ? '更新于 ' + mmddHhmm(staleSince) + ' · 网络未连接' : '网络未连接 · 正在重试') : '')
    const who = s ? s.screen.villageName + (s.household ? ' · ' + s.household.homeLabel : '') : '安居 · 一村一屏'
    setText('who', who)
  }

  return {
    ctx,
    setState (s) {
      ctx.state = s
      // generatedAt changes on every poll; only a change of content re-renders (keeps focus and DOM still).
      const sig = s ? JSON.stringify(s, (k, v) => (k === 'generatedAt' ? 0 : v)) : ''
      const changed = sig !== signature
      signature = sig
      if ((changed && (SCREENS[top().name] as Screen).live) || !container.firstChild) ctx.rerender()
      tick()
    },
    setStale (fetchedAt) { staleSince = fetchedAt; tick() },
    tick,
    key (name) {
      const e = top()
      if (name === 'back') {
        const s = SCREENS[e.name] as Screen
        if (s.back && s.back(ctx)) return
        ctx.back()
        return
      }
      const a = doc.activeElement
      const k = a ? a.getAttribute('data-focus') : null
      rememberFocus()
      if (k && actions[k]) (actions[k] as () => void)()
    },
    rememberFocus,
    refocus () { focusKey(container, top().focus) },
    current () { return top().name }
  }
}
