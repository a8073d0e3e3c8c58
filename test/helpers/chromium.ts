/// <reference lib="dom" />
// Real headless Chromium (Debian's `chromium`, driven by playwright-core, which never downloads a browser)
// for the TV app's end-to-end tests, benchmark and screenshots. Locally a missing browser skips loudly;
// under CI=true it fails (a skip would hide that the TV app was never run in a browser).
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { describeWithService } from './system-service.ts'

const INSTALL_HINT = 'apt-get install chromium fonts-wqy-zenhei   (Debian\'s Chromium and a CJK font; never `npx playwright install`)'

// No sandbox: containers and CI runners have no user namespaces. The rest keeps Chromium from phoning
// home, which would add network noise to latency figures and fail offline machines.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']

export function chromiumPath (): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => p !== undefined && p !== '')
  return candidates.find((p) => existsSync(p))
}

/** describe() that needs Chromium (see system-service.ts: loud skip locally, a failure under CI=true). */
export function describeWithChromium (name: string, fn: () => void): void {
  describeWithService({ service: 'chromium', available: () => chromiumPath() !== undefined, installHint: INSTALL_HINT }, name, fn)
}

export interface Tv {
  browser: Browser
  /** Closes every context and the browser. */
  close(): Promise<void>
}

export async function launchChromium (): Promise<Tv> {
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error(`chromium not found: ${INSTALL_HINT}`)
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS })
  return { browser, close: () => browser.close() }
}

export const SIZES = { '720p': { width: 1280, height: 720 }, '1080p': { width: 1920, height: 1080 } } as const
export type Size = keyof typeof SIZES

export interface ScreenOptions {
  size?: Size
  /** Install Playwright's fake clock before navigation (needed for `page.clock.runFor` later). */
  clock?: boolean | number
  /** localStorage to set before the app starts (e.g. a stale 'anju.state'). */
  storage?: Record<string, string>
}

/** A fresh context (own localStorage: a new set-top box) with one page at TV size, not yet navigated. */
export async function newScreen (browser: Browser, options: ScreenOptions = {}): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser.newContext({ viewport: SIZES[options.size ?? '720p'], locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 })
  const page = await context.newPage()
  if (options.clock !== undefined && options.clock !== false) await page.clock.install(typeof options.clock === 'number' ? { time: options.clock } : {})
  if (options.storage !== undefined) {
    await context.addInitScript((items: Record<string, string>) => {
      // Only once per box: a reload must see what the app itself stored since.
      if (sessionStorage.getItem('anju.test.seeded') === null) {
        for (const k of Object.keys(items)) localStorage.setItem(k, items[k] as string)
        sessionStorage.setItem('anju.test.seeded', '1')
      }
    }, options.storage)
  }
  return { context, page }
}

/** A persistent profile in a fresh temp user-data-dir, for when a test needs the box to "reboot". */
export async function persistentScreen (size: Size = '720p'): Promise<{ context: BrowserContext, page: Page, close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'anju-chromium-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, viewport: SIZES[size], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = context.pages()[0] ?? await context.newPage()
  return { context, page, async close () { await context.close(); rmSync(dir, { recursive: true, force: true }) } }
}

/**
 * Remote keys as set-top boxes send them: arrows and OK (Enter), and Back in its four spellings —
 * Backspace (8, many Android boxes), Escape (27, browsers), 461 (LG webOS / HbbTV VK_BACK), 10009
 * (Samsung Tizen) — plus the Android WebView bridge `window.anjuKey('back')`.
 */
export type RemoteKey = 'up' | 'down' | 'left' | 'right' | 'ok' | 'back' | 'escape' | 'backspace' | 'back461' | 'back10009' | 'androidBack'

const PLAIN: Partial<Record<RemoteKey, string>> = { up: 'ArrowUp', down: 'ArrowDown', left: 'ArrowLeft', right: 'ArrowRight', ok: 'Enter', back: 'Escape', escape: 'Escape', backspace: 'Backspace' }

export async function press (page: Page, key: RemoteKey): Promise<void> {
  const plain = PLAIN[key]
  if (plain !== undefined) return await page.keyboard.press(plain)
  if (key === 'androidBack') {
    await page.evaluate(() => { (window as unknown as { anjuKey: (k: string) => void }).anjuKey('back') })
    return
  }
  // Playwright's keyboard knows no key with these codes; CDP sends a trusted key event whose keyCode is
  // exactly what the TV's remote driver produces.
  const code = key === 'back461' ? 461 : 10009
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', windowsVirtualKeyCode: code, nativeVirtualKeyCode: code, key: 'GoBack', code: '' })
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', windowsVirtualKeyCode: code, nativeVirtualKeyCode: code, key: 'GoBack', code: '' })
  } finally {
    await cdp.detach()
  }
}

/** What has focus, as the viewer sees it. */
export interface FocusInfo {
  /** Elements that consider themselves focused: document.activeElement among [data-focus], plus any `.focused`. */
  count: number
  /** The active element's data-focus value ('' when it has none), its id and text. */
  focus: string | null
  id: string
  text: string
  /** The active element lies inside the viewport (a viewer cannot see focus that is scrolled away). */
  inViewport: boolean
}

export async function focusInfo (page: Page): Promise<FocusInfo> {
  return await page.evaluate(() => {
    const active = document.activeElement
    const isFocusable = active !== null && active !== document.body && active.hasAttribute('data-focus')
    // A second "focused-looking" element (a stale class) would confuse a viewer as much as none.
    const styled = Array.from(document.querySelectorAll('[data-focus].focused, [data-focus][aria-current="true"].focus')).filter((el) => el !== active)
    const rect = isFocusable ? active.getBoundingClientRect() : null
    return {
      count: (isFocusable ? 1 : 0) + styled.length,
      focus: isFocusable ? active.getAttribute('data-focus') : null,
      id: isFocusable ? active.id : '',
      text: isFocusable ? (active.textContent ?? '').trim().slice(0, 80) : '',
      inViewport: rect !== null && rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 && rect.top < window.innerHeight && rect.left < window.innerWidth
    }
  })
}

/**
 * The focused element's outline and box-shadow against the same element unfocused (blurred and focused
 * again within one task, so nothing is painted in between): a viewer three metres away must see which
 * one has focus. Background and text colour are reported too; transforms are left out (they animate).
 */
export async function focusStyleDiffers (page: Page): Promise<{ differs: boolean, focused: string, other: string }> {
  return await page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null
    if (active === null || !active.hasAttribute('data-focus')) return { differs: false, focused: '(nothing focused)', other: '' }
    // No named inner functions: tsx (the benchmark) would wrap them in a helper the page does not have.
    const style = getComputedStyle(active) // live: read into strings before and after the blur
    const focused = `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow ${style.boxShadow}`
    const focusedPaint = `background ${style.backgroundColor}; color ${style.color}`
    active.blur()
    const unfocused = `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow ${style.boxShadow}`
    const unfocusedPaint = `background ${style.backgroundColor}; color ${style.color}`
    active.focus({ preventScroll: true })
    return { differs: focused !== unfocused, focused: `${focused}; ${focusedPaint}`, other: `${unfocused}; ${unfocusedPaint}` }
  })
}

export async function screenName (page: Page): Promise<string | null> {
  return await page.evaluate(() => document.body.getAttribute('data-screen'))
}

/** Wait until `body[data-screen]` is `name` (generous: CI machines are loaded). */
export async function waitForScreen (page: Page, name: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction((n) => document.body !== null && document.body.getAttribute('data-screen') === n, name, { timeout: timeoutMs })
}

/** Wait until focus rests on a [data-focus] element (the app focuses after render). */
export async function waitForFocus (page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(() => document.activeElement !== null && document.activeElement.hasAttribute('data-focus'), undefined, { timeout: timeoutMs })
}

/** Press arrows until the focused element matches `selector` (at most `max` presses), or throw. */
export async function focusOn (page: Page, selector: string, keys: RemoteKey[] = ['down', 'right', 'up', 'left'], max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement !== null && document.activeElement.matches(s), selector)) return
    await press(page, keys[Math.floor(i / 10) % keys.length] as RemoteKey)
  }
  throw new Error(`could not move focus onto ${selector} with ${keys.join('/')}`)
}
