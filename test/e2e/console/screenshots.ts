// Console screenshots for docs/screenshots/console-*.png, taken by the browser tests only when asked
// (ANJU_CONSOLE_SCREENSHOTS=1 npx vitest run test/e2e/console): a normal test run writes nothing.
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'

const DIR = new URL('../../../docs/screenshots/', import.meta.url)

export async function shot (page: Page, name: string): Promise<void> {
  if (process.env.ANJU_CONSOLE_SCREENSHOTS !== '1') return
  mkdirSync(DIR, { recursive: true })
  await page.screenshot({ path: new URL(name + '.png', DIR).pathname, fullPage: true })
}
