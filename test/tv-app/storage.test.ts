// The offline cache: tolerant of what it finds in localStorage, bounded in what it keeps.
import { beforeAll, describe, expect, it } from 'vitest'
import { demoDetail, demoState } from './fixture-server.ts'

const items = new Map<string, string>()
let storage: typeof import('../../tv-app/src/storage.ts')

beforeAll(async () => {
  // The app reads `window` when its modules load; give it a localStorage before importing.
  ;(globalThis as unknown as { window: unknown }).window = {
    localStorage: { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => { items.set(k, v) }, removeItem: (k: string) => { items.delete(k) } }
  }
  storage = await import('../../tv-app/src/storage.ts')
})

describe('TV app storage', () => {
  const now = Date.UTC(2026, 10, 22, 2)

  it('keeps {state, fetchedAt}, and accepts a bare TvState or nothing usable', () => {
    const state = demoState(now, true)
    storage.saveState({ state, fetchedAt: now + 5 })
    expect(storage.loadState()).toEqual({ state, fetchedAt: now + 5 })
    items.set('anju.state', JSON.stringify(state))
    expect(storage.loadState()).toEqual({ state, fetchedAt: now })
    items.set('anju.state', '{not json')
    expect(storage.loadState()).toBeNull()
    storage.saveState(null)
    expect(items.has('anju.state')).toBe(false)
  })

  it('stores and forgets the token', () => {
    storage.saveToken('t-1')
    expect(storage.loadToken()).toBe('t-1')
    storage.saveToken(null)
    expect(storage.loadToken()).toBeNull()
  })

  it('keeps the last 12 finance pages, dropping the oldest first', () => {
    for (let p = 1; p <= 15; p++) storage.cacheDetail('s1:' + p, demoDetail('s1', p, now))
    expect(storage.cachedDetail('s1:3')).toBeNull()
    expect(storage.cachedDetail('s1:4')?.page).toBe(4)
    expect(storage.cachedDetail('s1:15')?.page).toBe(15)
    expect(Object.keys((JSON.parse(items.get('anju.finance')!) as { items: object }).items)).toHaveLength(12)
  })

  it('keeps running when localStorage refuses to write (full)', () => {
    const w = (globalThis as unknown as { window: { localStorage: { setItem: () => void } } }).window
    const set = w.localStorage.setItem
    w.localStorage.setItem = () => { throw new Error('QuotaExceededError') }
    expect(() => storage.saveState({ state: demoState(now, false), fetchedAt: now })).not.toThrow()
    w.localStorage.setItem = set
  })
})
