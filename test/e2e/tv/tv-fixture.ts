// One real gateway (port 0, temp dir, demo content) and one real headless Chromium per test file, plus
// the steps every TV test repeats: open a screen at /tv/, pair it by the code it shows (as a clerk would,
// through the admin API), press keys and check focus after each press.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { seedDemoContent } from '../../../gateway/content/demo-content.ts'
import type { BuildOptions } from '../../../gateway/build.ts'
import { focusInfo, focusStyleDiffers, launchChromium, newScreen, press, type RemoteKey, type ScreenOptions, type Tv } from '../../helpers/chromium.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

export interface TvFixture {
  gw: TestGateway
  tv: Tv
  browser: Browser
  villageId: string
  gridId: string
  homeId: string
  /** http://127.0.0.1:<port>/tv/ with `query` (e.g. 'poll=2000'). */
  url(query?: string): string
  close(): Promise<void>
}

export async function startTvFixture (options: BuildOptions = {}): Promise<TvFixture> {
  const gw = await startGateway({}, options)
  let tv: Tv | undefined
  try {
    const { villageId, gridId, homeId } = await seedHome(gw)
    await seedDemoContent(gw, villageId)
    tv = await launchChromium()
    const browser = tv.browser
    return {
      gw,
      tv,
      browser,
      villageId,
      gridId,
      homeId,
      url: (query = '') => `${gw.urls.http}/tv/${query === '' ? '' : '?' + query}`,
      async close () {
        await tv?.close()
        await gw.stop()
      }
    }
  } catch (err) {
    await tv?.close()
    await gw.stop()
    throw err
  }
}

/** A fresh set-top box opened at /tv/ (not paired: its own empty localStorage). */
export async function openTv (fx: TvFixture, query = 'poll=2000', options: ScreenOptions = {}): Promise<{ context: BrowserContext, page: Page }> {
  const screen = await newScreen(fx.browser, options)
  await screen.page.goto(fx.url(query))
  return screen
}

/**
 * Read the six digits the screen shows. An unpaired box starts on public content; the viewer walks to
 * "绑定本户 · 显示配对码" and presses OK, as a clerk would tell them to on the phone.
 */
export async function pairCode (page: Page): Promise<string> {
  await page.waitForFunction(() => document.body.getAttribute('data-screen') !== null, undefined, { timeout: 15_000 })
  if (await page.$('#pair-code') === null) {
    await moveTo(page, '[data-action="pair"]')
    await step(page, 'ok')
  }
  await page.waitForFunction(() => /^\d{6}$/.test((document.querySelector('#pair-code')?.textContent ?? '').replace(/\s/g, '')), undefined, { timeout: 15_000 })
  return ((await page.textContent('#pair-code')) ?? '').replace(/\D/g, '')
}

/**
 * A clerk pairs the screen by the code on it (admin API, as the console does); resolves when the screen
 * has stored its token. Returns the screen id.
 */
export async function pairScreen (fx: TvFixture, page: Page, target: { homeId: string } | { villageId: string }): Promise<string> {
  const code = await pairCode(page)
  const res = await fx.gw.api<{ id?: string, screenId?: string, screen?: { id: string } }>('POST', '/api/v1/screens/pair', { code, ...target, by: 'clerk-1' })
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
  await page.waitForFunction(() => (localStorage.getItem('anju.token') ?? '') !== '', undefined, { timeout: 15_000 })
  const id = res.body.id ?? res.body.screenId ?? res.body.screen?.id
  if (id === undefined) throw new Error(`pairing answered without a screen id: ${JSON.stringify(res.body)}`)
  return id
}

/**
 * Press a key, then insist on what a viewer needs after every press: exactly one focused element, inside
 * the viewport, with an outline or shadow it does not have unfocused. Focus may land a frame after a screen
 * change, so this waits for it rather than sampling once.
 */
export async function step (page: Page, key: RemoteKey): Promise<void> {
  await press(page, key)
  await expectOneFocus(page, `after ${key}`)
}

export async function expectOneFocus (page: Page, when = ''): Promise<void> {
  await page.waitForFunction(() => document.activeElement !== null && document.activeElement.hasAttribute('data-focus'), undefined, { timeout: 15_000 })
    .catch(() => { throw new Error(`nothing focused ${when} on ${page.url()}`) })
  const info = await focusInfo(page)
  expect(info.count, `focused elements ${when}`).toBe(1)
  expect(info.inViewport, `focus inside the screen ${when} (${info.focus} "${info.text}")`).toBe(true)
  const style = await focusStyleDiffers(page)
  expect(style.differs, `visible focus style ${when}: focused ${style.focused} vs unfocused ${style.other}`).toBe(true)
}

/**
 * Walk focus onto `selector` with the arrows, the way a viewer does: press towards where the target is
 * on screen (the larger offset first, the other axis when focus does not move). `keys` limits the
 * directions (e.g. ['down'] in a list). Focus is checked after every press.
 */
export async function moveTo (page: Page, selector: string, keys: RemoteKey[] = ['down', 'right', 'up', 'left'], max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    const where = await page.evaluate((s) => {
      const target = document.querySelector(s)
      const active = document.activeElement
      if (target === null || active === null) return null
      if (active === target || active.matches(s)) return 'here'
      const t = target.getBoundingClientRect()
      const a = active.getBoundingClientRect()
      const dx = (t.left + t.right) / 2 - (a.left + a.right) / 2
      const dy = (t.top + t.bottom) / 2 - (a.top + a.bottom) / 2
      const h = dx > 0 ? 'right' : 'left'
      const v = dy > 0 ? 'down' : 'up'
      // Same row or column (overlapping): move along the other axis only.
      const sameCol = t.left < a.right && a.left < t.right
      const sameRow = t.top < a.bottom && a.top < t.bottom
      if (sameCol) return [v, h]
      if (sameRow) return [h, v]
      return Math.abs(dx) > Math.abs(dy) ? [h, v] : [v, h]
    }, selector)
    if (where === 'here') return
    if (where === null) throw new Error(`${selector} is not on screen (${await screenOf(page)})`)
    const dirs = (where as RemoteKey[]).filter((d) => keys.includes(d))
    let moved = false
    for (const d of dirs) {
      const before = await focusKey(page)
      await step(page, d)
      if (await focusKey(page) !== before) { moved = true; break }
    }
    if (!moved) break
  }
  if (await page.evaluate((s) => document.activeElement?.matches(s) === true, selector)) return
  throw new Error(`${selector} never got focus with ${keys.join(', ')}; focus is on ${await focusKey(page)} (${await screenOf(page)})`)
}

async function focusKey (page: Page): Promise<string> {
  return await page.evaluate(() => document.activeElement?.getAttribute('data-focus') ?? '(none)')
}
async function screenOf (page: Page): Promise<string> {
  return await page.evaluate(() => document.body.getAttribute('data-screen') ?? '')
}
