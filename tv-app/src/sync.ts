// Keeping the screen current: GET /tv/api/state every poll interval (60 s by default, `?poll=` for
// tests), events over SSE for the things that cannot wait (check-in, broadcast), and capped exponential
// backoff for both when the network is down, so a screen recovers by itself without hammering the
// gateway when a whole village comes back online at once (jitter spreads the retries).
import type { TvState } from '../../src/tv/tv-api.ts'
import { win, type Es } from './dom.ts'
import { request, type Resp } from './net.ts'

export interface SyncDeps {
  pollMs: number
  token (): string | null
  onState (s: TvState): void
  onFail (): void
  onBadToken (res: Resp): void
  onEvent (name: string, data: unknown): void
}
export interface Sync { start (): void, refreshNow (): void, reconnect (): void }

export const EVENTS = ['checkin', 'checkin_end', 'broadcast', 'broadcast_end', 'state']
const RETRY_FIRST_MS = 2000
const SSE_MAX_MS = 60000

/** Delay before retry number `n` (0-based): doubling from 2 s, capped, with ±20 % jitter. */
export function backoff (n: number, capMs: number, rand: number): number {
  const base = Math.min(capMs, RETRY_FIRST_MS * Math.pow(2, Math.min(n, 16)))
  return Math.round(base * (0.8 + 0.4 * rand))
}

export function createSync (deps: SyncDeps): Sync {
  let pollTimer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  let again = false
  let failures = 0
  let es: Es | null = null
  let esTimer: ReturnType<typeof setTimeout> | null = null
  let esFailures = 0
  // Our own reconnects lose EventSource's Last-Event-ID; the gateway accepts it as ?lastEventId= and
  // replays the household events missed meanwhile (a check-in asked during a blip is not lost).
  let lastId = ''

  function schedule (ms: number): void {
    if (pollTimer) clearTimeout(pollTimer)
    pollTimer = setTimeout(() => { pollTimer = null; fetchState() }, ms)
  }

  function fetchState (): void {
    if (inFlight) { again = true; return }
    inFlight = true
    request('GET', 'state', deps.token(), undefined, (err, res) => {
      inFlight = false
      if (!err && res.status === 200 && res.body && (res.body as TvState).screen) {
        failures = 0
        deps.onState(res.body as TvState)
        schedule(again ? 0 : deps.pollMs)
      } else if (!err && res.status === 401 && deps.token()) {
        deps.onBadToken(res) // forgets the token; the next fetch is the public state
        schedule(0)
      } else {
        deps.onFail()
        schedule(Math.min(deps.pollMs, backoff(failures++, deps.pollMs, Math.random())))
      }
      again = false
    })
  }

  function closeEs (): void {
    if (es) { es.onopen = null; es.onerror = null; es.close(); es = null }
    if (esTimer) { clearTimeout(esTimer); esTimer = null }
  }

  function connect (): void {
    closeEs()
    const Source = win.EventSource
    if (!Source) return // polling alone on engines without EventSource
    const token = deps.token()
    let source: Es
    const q: string[] = []
    if (token) q.push('t=' + encodeURIComponent(token))
    if (lastId) q.push('lastEventId=' + encodeURIComponent(lastId))
    try { source = new Source('api/events' + (q.length ? '?' + q.join('&') : '')) } catch { return }
    es = source
    source.onopen = () => {
      // Events may have been missed while disconnected: catch up from the state.
      if (esFailures > 0) fetchState()
      esFailures = 0
    }
    // EventSource retries by itself on some errors and gives up on others (HTTP errors); closing and
    // reconnecting ourselves gives one behaviour everywhere, with our backoff instead of its fixed 3 s.
    source.onerror = () => {
      closeEs()
      esTimer = setTimeout(connect, backoff(esFailures++, SSE_MAX_MS, Math.random()))
    }
    EVENTS.forEach((name) => {
      source.addEventListener(name, (e) => {
        if (e.lastEventId && /^\d{1,15}$/.test(e.lastEventId)) lastId = e.lastEventId
        let data: unknown = null
        try { data = e.data ? JSON.parse(e.data) : null } catch { return }
        deps.onEvent(name, data)
      })
    })
  }

  return {
    start () {
      fetchState()
      connect()
      // The network coming back is the moment to retry, not the next backoff step.
      win.addEventListener('online', () => { failures = 0; fetchState(); if (!es) connect() })
    },
    refreshNow () { schedule(150) },
    reconnect () { esFailures = 0; lastId = ''; connect() }
  }
}
