// What a screen module may use. Screens get everything through this object, so they hold no globals
// besides their own small per-visit state and are easy to reason about for leaks.
import type { TvState } from '../../src/tv/tv-api.ts'
import type { El } from './dom.ts'
import type { Done } from './net.ts'

export type ScreenName = 'home' | 'party' | 'finance' | 'finance-detail' | 'safety' | 'care' | 'notice' | 'pairing'
export type Params = { [k: string]: string | number }

export interface Screen {
  render (ctx: Ctx, params: Params): El
  /** Called when the screen is left (not on a re-render): stop its timers and requests. */
  leave? (): void
  /** Return true when Back was handled inside the screen (e.g. closing a confirm). */
  back? (ctx: Ctx): boolean
  /** Re-render when /tv/api/state brings new content. */
  live: boolean
}

export interface Ctx {
  state: TvState | null
  /** Now, in unix ms (see main.ts on boxes whose clock was never set). */
  now (): number
  go (name: ScreenName, params?: Params): void
  /** Swap the current screen in place (paging), so Back still goes up a level. */
  replace (name: ScreenName, params?: Params): void
  back (): void
  /** The action run by OK on the element with data-focus=key, valid until the next render. */
  on (key: string, fn: () => void): void
  rerender (): void
  /** Re-render and put the focus on data-focus=key (e.g. the first choice of a confirm just opened). */
  rerenderFocus (key: string): void
  /** A request with this screen's token; a bad token is forgotten and pairing shown. */
  api (method: string, path: string, body: unknown, done: Done): void
  isPaired (): boolean
  /** Pairing finished: keep the token, fetch the household's state. */
  paired (token: string): void
  refresh (): void
  /** Show the current emergency broadcast again (after it was dismissed). */
  showBroadcast (): void
}
