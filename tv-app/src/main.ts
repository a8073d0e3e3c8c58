// Composition root of the TV app: storage, sync, takeover, screens and keys wired together once.
import type { TvBroadcast, TvCheckIn, TvState } from '../../src/tv/tv-api.ts'
import { createApp } from './app.ts'
import { byId, doc, win, type El } from './dom.ts'
import { focusKey, moveFocus } from './focus.ts'
import { isKeyName, keyName, type KeyName } from './keys.ts'
import { request, type Done } from './net.ts'
import { loadState, loadToken, saveState, saveToken, type Cached } from './storage.ts'
import { createSync } from './sync.ts'
import { createTakeover } from './takeover.ts'

/** The cache is rewritten when content changes, else at most this often (flash wear on cheap boxes). */
const SAVE_EVERY_MS = 10 * 60 * 1000
/** A box whose clock reads before 2020 was never set (no NTP yet): trust the gateway's clock instead. */
const CLOCK_UNSET_BEFORE = Date.UTC(2020, 0, 1)

function queryParam (name: string): string | null {
  const q = win.location.search.replace(/^\?/, '').split('&')
  for (let i = 0; i < q.length; i++) {
    const kv = (q[i] as string).split('=')
    if (kv[0] === name) return decodeURIComponent(kv[1] || '')
  }
  return null
}

const pollMs = Math.max(200, Math.min(3600000, parseInt(queryParam('poll') || '', 10) || 60000))
let token = loadToken()
let skew = 0
/** Gateway clock minus box clock, from the last fetched state: check-in countdowns and expiry are the
 *  gateway's times, and a box whose clock is minutes off must still show (and time) the check-in. */
let serverSkew = 0
let cache: Cached | null = loadState()
let lastSig = ''
let lastSaved = 0
const now = (): number => Date.now() + skew

function api (method: string, path: string, body: unknown, done: Done): void {
  request(method, path, token, body, (err, res) => {
    if (!err && res.status === 401 && token) forgetToken()
    done(err, res)
  })
}

/** The public part of a state: what any screen of the village may show. */
function publicOnly (s: TvState): TvState {
  return { generatedAt: s.generatedAt, screen: { paired: false, screenId: null, villageId: s.screen.villageId, villageName: s.screen.villageName }, notices: s.notices, meetings: s.meetings, careVisits: s.careVisits, statements: s.statements, broadcast: s.broadcast, household: null }
}

/** The token is bad (revoked, unknown): drop it and everything private it brought, then offer pairing. */
function forgetToken (): void {
  token = null
  saveToken(null)
  if (cache) {
    cache = { state: publicOnly(cache.state), fetchedAt: cache.fetchedAt }
    saveState(cache)
    takeover.fromState(cache.state)
    app.setState(cache.state)
  }
  sync.reconnect()
  sync.refreshNow()
  if (app.current() !== 'pairing') app.ctx.go('pairing')
}

const takeover = createTakeover({ now: () => Date.now() + serverSkew, api, refresh: () => sync.refreshNow(), onClose: () => app.refocus() })
const app = createApp({
  now,
  api,
  isPaired: () => token !== null,
  paired (t) {
    token = t
    saveToken(t)
    sync.reconnect()
    sync.refreshNow()
    if (app.current() === 'pairing') app.ctx.back()
  },
  refresh: () => sync.refreshNow(),
  showBroadcast: () => takeover.showBroadcast(),
  takeoverActive: () => takeover.active()
})

const sync = createSync({
  pollMs,
  token: () => token,
  onState (s) {
    serverSkew = s.generatedAt - Date.now()
    if (Date.now() < CLOCK_UNSET_BEFORE && s.generatedAt > CLOCK_UNSET_BEFORE) skew = serverSkew
    const t = now()
    cache = { state: s, fetchedAt: t }
    const sig = JSON.stringify(s, (k, v) => (k === 'generatedAt' ? 0 : v))
    if (sig !== lastSig || t - lastSaved > SAVE_EVERY_MS) { saveState(cache); lastSig = sig; lastSaved = t }
    app.setStale(null)
    takeover.fromState(s)
    app.setState(s)
  },
  onFail () { app.setStale(cache ? cache.fetchedAt : 0) },
  onBadToken () { forgetToken() },
  onEvent (name, data) {
    const d = (data || {}) as { alertId?: string, id?: string, expiresAt?: number }
    if (name === 'checkin' && d.alertId && d.expiresAt) takeover.checkIn(data as TvCheckIn)
    else if (name === 'checkin_end' && d.alertId) takeover.checkInEnd(d.alertId)
    else if (name === 'broadcast' && d.id) takeover.broadcast(data as TvBroadcast)
    else if (name === 'broadcast_end' && d.id) takeover.broadcastEnd(d.id)
    sync.refreshNow() // every event also means the state changed; fetch it to stay consistent
  }
})

const screenRoot = byId('screen') as El
const takeoverRoot = byId('takeover') as El

/** Exactly one element has focus at all times: the takeover's while it shows, else the screen's. */
function ensureFocus (): void {
  const a = doc.activeElement
  if (takeover.active()) {
    if (!a || !takeoverRoot.contains(a) || !a.getAttribute('data-focus')) focusKey(takeoverRoot, null)
  } else if (!a || !screenRoot.contains(a) || !a.getAttribute('data-focus')) {
    app.refocus()
  }
}

function handleKey (name: KeyName): void {
  if (takeover.active()) takeover.key(name)
  else if (name === 'ok' || name === 'back') app.key(name)
  else { moveFocus(screenRoot, name); app.rememberFocus() }
  ensureFocus()
}

doc.addEventListener('keydown', (e) => {
  const name = keyName(e.keyCode, e.key)
  if (!name) return
  e.preventDefault() // Backspace must not navigate the WebView away
  handleKey(name)
})
// A mouse or touch (rare on a TV, handy for setup): clicking a focusable element is OK on it.
doc.addEventListener('click', (e) => {
  let el: El | null = e.target
  while (el && el.getAttribute && !el.getAttribute('data-focus')) el = el.parentNode
  if (el && el.getAttribute && el.getAttribute('data-focus')) { el.focus(); handleKey('ok') }
})
win.anjuKey = (name: string) => { if (isKeyName(name)) handleKey(name) }

/** 1rem = 32 px at 1080 lines, scaled with the window height so 720p shows the same layout. */
function scaleRoot (): void {
  doc.documentElement.style.fontSize = Math.max(12, Math.round(win.innerHeight / 1080 * 32 * 100) / 100) + 'px'
}
scaleRoot()
win.addEventListener('resize', scaleRoot)

// Render from the cache at once (a reboot without network still shows content), then fetch. Without a
// token the cache can hold no household data (privacy), whoever wrote it.
if (cache && !token && cache.state.household) cache = { state: publicOnly(cache.state), fetchedAt: cache.fetchedAt }
if (cache) {
  takeover.fromState(cache.state)
  app.setState(cache.state)
} else {
  app.setState(null)
}
sync.start()
setInterval(() => { app.tick(); takeover.tick(); ensureFocus() }, 1000)
