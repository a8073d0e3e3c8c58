// Steps the console's browser tests share: open /console/ in its own browser context (its own cookie
// jar: one person at one device), sign in through the form, and wait for conditions, never for time.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'

export const PC = { viewport: { width: 1280, height: 800 } }
/** A mid-size phone (iPhone 12-15 class): the grid worker's device. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

export interface ConsolePage { context: BrowserContext, page: Page }

export async function openConsole (browser: Browser, base: string, device: typeof PC | typeof PHONE = PC): Promise<ConsolePage> {
  const context = await browser.newContext({ ...device, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  // Below the test timeout, so a stuck wait names its selector instead of timing the whole test out.
  page.setDefaultTimeout(15_000)
  // A CSP violation or script error means a page that half works; fail the test on it.
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(String(err)))
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text()) })
  Object.assign(page, { consoleProblems: problems })
  await page.goto(base + '/console')
  return { context, page }
}

export function problemsOf (page: Page): string[] {
  return (page as Page & { consoleProblems?: string[] }).consoleProblems ?? []
}

/** Sign in through the login form; resolves once the signed-in shell (the main navigation) is shown. */
export async function signInUi (page: Page, username: string, password: string, landing: 'nav' | 'password' = 'nav'): Promise<void> {
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  if (landing === 'nav') await page.waitForSelector('nav#nav', { state: 'attached', timeout: 15_000 })
  else await page.waitForSelector('#pw-title', { timeout: 15_000 })
}

/** The accessible name of every form control: a control without a label is invisible to a screen reader. */
export async function expectLabelledControls (page: Page, where: string): Promise<void> {
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
    .filter((el) => (el as HTMLInputElement).labels === null || (el as HTMLInputElement).labels?.length === 0)
    .map((el) => el.outerHTML.slice(0, 80)))
  expect(unlabelled, `unlabelled controls on ${where}`).toEqual([])
}
