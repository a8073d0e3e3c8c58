// What the TV benchmark and the screenshot script share: a real gateway (temp dir, port 0) with a village,
// a household and the demo content, real headless Chromium, and screens paired by the code they show,
// exactly as a clerk pairs them in the console.
import type { BrowserContext, Page } from 'playwright-core'
import { seedDemoContent } from '../../gateway/content/demo-content.ts'
import type { BuildOptions } from '../../gateway/build.ts'
import { launchChromium, newScreen, type ScreenOptions, type Tv } from '../../test/helpers/chromium.ts'
import { seedHome, startGateway, type TestGateway } from '../../test/helpers/start-gateway.ts'
import { focusOn, key, waitScreen } from './walk.ts'

export interface BenchSetup {
  gw: TestGateway
  tv: Tv
  villageId: string
  homeId: string
  url(query?: string): string
  /** The household screen's token once one box has been paired ("the same box, rebooted"). */
  token: string | null
  close(): Promise<void>
}

export async function startBench (options: BuildOptions = {}, config: Parameters<typeof startGateway>[0] = {}): Promise<BenchSetup> {
  const gw = await startGateway(config, options)
  const { villageId, homeId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英' })
  await seedDemoContent(gw, villageId)
  const tv = await launchChromium()
  return {
    gw,
    tv,
    villageId,
    homeId,
    token: null,
    url: (query = '') => `${gw.urls.http}/tv/${query === '' ? '' : '?' + query}`,
    async close () {
      await tv.close()
      await gw.stop()
    }
  }
}

export interface OpenOptions extends ScreenOptions {
  /** Scripts to run in the page before the app (instrumentation). */
  initScripts?: string[]
  /**
   * Pair to the household (default; reuses the household screen's token once there is one, like the same
   * box rebooting, to spare the 3 s pairing poll), to the village, or leave unpaired.
   */
  pair?: 'home' | 'village' | 'none'
  query?: string
}

/** A fresh box at /tv/, paired as asked; resolves once the app shows its home (or pairing) screen. */
export async function openScreen (b: BenchSetup, options: OpenOptions = {}): Promise<{ context: BrowserContext, page: Page }> {
  const reuse = (options.pair ?? 'home') === 'home' && b.token !== null
  const { context, page } = await newScreen(b.tv.browser, reuse ? { ...options, storage: { ...options.storage, 'anju.token': b.token as string } } : options)
  for (const script of options.initScripts ?? []) await context.addInitScript(script)
  await page.goto(b.url(options.query ?? ''))
  const pair = options.pair ?? 'home'
  if (pair === 'none') return { context, page }
  if (reuse) {
    // Home with focus, and the household's state fetched with that token.
    await page.waitForFunction(() => {
      const raw = localStorage.getItem('anju.state')
      const cached = raw === null ? null : JSON.parse(raw) as { state?: { household?: unknown } }
      return document.body.getAttribute('data-screen') === 'home' && document.activeElement?.hasAttribute('data-focus') === true && (cached?.state?.household ?? null) !== null
    }, undefined, { timeout: 15_000 })
    return { context, page }
  }
  // A fresh box starts on public content: walk to "绑定本户 · 显示配对码" and press OK for the code.
  await waitScreen(page, 'home')
  if (!await focusOn(page, '[data-action="pair"]')) throw new Error('the pairing button never got focus')
  await key(page, 'ok')
  await page.waitForFunction(() => /^\d{6}$/.test((document.querySelector('#pair-code')?.textContent ?? '').replace(/\D/g, '')), undefined, { timeout: 15_000 })
  const code = ((await page.textContent('#pair-code')) ?? '').replace(/\D/g, '')
  const target = pair === 'home' ? { homeId: b.homeId } : { villageId: b.villageId }
  const res = await b.gw.api<{ id: string }>('POST', '/api/v1/screens/pair', { code, ...target, by: 'bench' })
  if (res.status !== 201) throw new Error(`pairing failed: ${res.status} ${JSON.stringify(res.body)}`)
  await page.waitForFunction(() => (localStorage.getItem('anju.token') ?? '') !== '' && document.body.getAttribute('data-screen') === 'home', undefined, { timeout: 15_000 })
  if (pair === 'home') b.token = await page.evaluate(() => localStorage.getItem('anju.token'))
  return { context, page }
}
