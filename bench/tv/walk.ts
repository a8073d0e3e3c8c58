/// <reference lib="dom" />
// A viewer's walk with the remote (keyboard only), shared by the soak and the screenshots: hunt for a
// tile with the arrows, open it, go into a notice or a statement, page on, and Back up to home.
import type { Page } from 'playwright-core'

const KEYS = { up: 'ArrowUp', down: 'ArrowDown', left: 'ArrowLeft', right: 'ArrowRight', ok: 'Enter', back: 'Escape' } as const
export type Key = keyof typeof KEYS

export async function key (page: Page, k: Key): Promise<void> {
  await page.keyboard.press(KEYS[k])
}

export async function screen (page: Page): Promise<string | null> {
  return await page.evaluate(() => document.body.getAttribute('data-screen'))
}

export async function waitScreen (page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction((n) => document.body.getAttribute('data-screen') === n && document.activeElement?.hasAttribute('data-focus') === true, name, { timeout: timeoutMs })
}

async function focused (page: Page): Promise<string> {
  return await page.evaluate(() => {
    const el = document.activeElement
    return el === null ? '' : `${el.tagName}|${el.getAttribute('data-focus') ?? ''}|${(el.textContent ?? '').slice(0, 30)}`
  })
}

/** Arrow towards `selector` as a viewer would: towards where it is on screen, the larger offset first. */
export async function focusOn (page: Page, selector: string, max = 60): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    const dirs = await page.evaluate((s) => {
      const target = document.querySelector(s)
      const active = document.activeElement
      if (target === null || active === null) return null
      if (active.matches(s)) return []
      const t = target.getBoundingClientRect()
      const a = active.getBoundingClientRect()
      const dx = (t.left + t.right) / 2 - (a.left + a.right) / 2
      const dy = (t.top + t.bottom) / 2 - (a.top + a.bottom) / 2
      const h = dx > 0 ? 'right' : 'left'
      const v = dy > 0 ? 'down' : 'up'
      if (t.left < a.right && a.left < t.right) return [v, h]
      if (t.top < a.bottom && a.top < t.bottom) return [h, v]
      return Math.abs(dx) > Math.abs(dy) ? [h, v] : [v, h]
    }, selector)
    if (dirs === null) return false
    if (dirs.length === 0) return true
    let moved = false
    for (const d of dirs as Key[]) {
      const before = await focused(page)
      await key(page, d)
      if (await focused(page) !== before) { moved = true; break }
    }
    if (!moved) return false
  }
  return await page.evaluate((s) => document.activeElement?.matches(s) === true, selector)
}

export async function openTile (page: Page, tile: string): Promise<void> {
  await waitScreen(page, 'home')
  if (!await focusOn(page, `[data-tile="${tile}"]`)) throw new Error(`tile ${tile} never got focus`)
  await key(page, 'ok')
  await waitScreen(page, tile)
}

export async function backHome (page: Page): Promise<void> {
  for (let i = 0; i < 6 && await screen(page) !== 'home'; i++) {
    const was = await screen(page)
    await key(page, 'back')
    await page.waitForFunction((w) => document.body.getAttribute('data-screen') !== w, was, { timeout: 15_000 }).catch(() => {})
  }
  await waitScreen(page, 'home')
}

/** Every section once: a notice in party, a statement's second page in finance, safety and care looked at. */
export async function cycleSections (page: Page): Promise<void> {
  await backHome(page)
  await openTile(page, 'party')
  await key(page, 'down')
  await key(page, 'ok')
  await backHome(page)
  await openTile(page, 'finance')
  await key(page, 'down')
  await key(page, 'ok')
  await key(page, 'right')
  await key(page, 'ok')
  await backHome(page)
  for (const tile of ['safety', 'care']) {
    await openTile(page, tile)
    await key(page, 'down')
    await key(page, 'up')
    await backHome(page)
  }
}
