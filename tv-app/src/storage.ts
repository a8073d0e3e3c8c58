// What survives a reboot or a network outage: the screen token, the last state with the time it was
// fetched, and a few finance statement pages. localStorage can be missing or full on cheap boxes, so
// every access is guarded; losing the cache never breaks the screen.
import type { TvState, TvStatementDetail } from '../../src/tv/tv-api.ts'
import { win } from './dom.ts'

const TOKEN = 'anju.token'
const STATE = 'anju.state'
const FINANCE = 'anju.finance'
/** Finance pages kept offline; each is a few KB, the cap keeps localStorage well under its 5 MB. */
const FINANCE_MAX = 12

function get (k: string): string | null { try { return win.localStorage ? win.localStorage.getItem(k) : null } catch { return null } }
function set (k: string, v: string): void { try { if (win.localStorage) win.localStorage.setItem(k, v) } catch { /* full: keep running */ } }
function del (k: string): void { try { if (win.localStorage) win.localStorage.removeItem(k) } catch { /* ignore */ } }

export function loadToken (): string | null { return get(TOKEN) || null }
export function saveToken (token: string | null): void { if (token) set(TOKEN, token); else del(TOKEN) }

export interface Cached { state: TvState, fetchedAt: number }

/** `anju.state` holds {state, fetchedAt}; a bare TvState (e.g. seeded by a test) is accepted too. */
export function loadState (): Cached | null {
  const raw = get(STATE)
  if (!raw) return null
  try {
    const v = JSON.parse(raw) as { state?: TvState, fetchedAt?: number, screen?: unknown, generatedAt?: number }
    if (v.state && v.state.screen) return { state: v.state, fetchedAt: v.fetchedAt || v.state.generatedAt }
    if (v.screen) return { state: v as unknown as TvState, fetchedAt: v.generatedAt || 0 }
  } catch { /* corrupt: start empty */ }
  return null
}
export function saveState (c: Cached | null): void { if (c) set(STATE, JSON.stringify(c)); else del(STATE) }

interface FinanceCache { keys: string[], items: { [key: string]: TvStatementDetail } }
function loadFinance (): FinanceCache {
  try {
    const v = JSON.parse(get(FINANCE) || '') as FinanceCache
    if (v && v.keys && v.items) return v
  } catch { /* empty */ }
  return { keys: [], items: {} }
}
export function cachedDetail (key: string): TvStatementDetail | null { return loadFinance().items[key] || null }
/** Least recently stored goes first once FINANCE_MAX pages are kept. */
export function cacheDetail (key: string, d: TvStatementDetail): void {
  const c = loadFinance()
  const keys = c.keys.filter((k) => k !== key)
  keys.push(key)
  while (keys.length > FINANCE_MAX) { const k = keys.shift() as string; delete c.items[k] }
  c.items[key] = d
  set(FINANCE, JSON.stringify({ keys, items: c.items }))
}
export function forgetFinance (): void { del(FINANCE) }
