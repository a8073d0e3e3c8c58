/// <reference lib="dom" />
// The signage-player soak: a paired household screen left on for days. Playwright's fake clock (installed
// before the app loads) runs the app's own timers — the clock every second, the 60 s poll, reconnects —
// through many simulated hours while real content changes arrive as SSE `state` events (each a real
// re-fetch) and a viewer walks every section every simulated hour. After warm-up and at the end the page
// is garbage-collected (CDP HeapProfiler.collectGarbage) and measured: JS heap (Runtime.getHeapUsage),
// DOM nodes, event listeners (Performance.getMetrics) and elements in the document. Flat means the end
// is within +10 % (heap: or +2 MB) of the start; boxes that leak die after a day or two (issue 5).
import type { CDPSession, Page } from 'playwright-core'
import { openScreen, type BenchSetup } from './bench-setup.ts'
import { cycleSections } from './walk.ts'

export interface SoakSample { simHours: number, heapUsedBytes: number, domNodes: number, listeners: number, elements: number, screen: string | null }
export interface SoakResult { simHours: number, heapGrowthLastHalfPerDayBytes: number, navCycles: number, stateEvents: number, polls: number, wallMs: number, samples: SoakSample[], start: SoakSample, end: SoakSample, flat: boolean, verdict: string }

async function sample (page: Page, cdp: CDPSession, simHours: number): Promise<SoakSample> {
  // Twice: the first pass can leave objects for the second (finalisers, weak maps).
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = await cdp.send('Runtime.getHeapUsage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? Number.NaN
  const dom = await page.evaluate(() => ({ elements: document.getElementsByTagName('*').length, screen: document.body.getAttribute('data-screen') }))
  return { simHours, heapUsedBytes: heap.usedSize, domNodes: metric('Nodes'), listeners: metric('JSEventListeners'), ...dom }
}

export function isFlat (start: SoakSample, end: SoakSample): { flat: boolean, verdict: string } {
  const heapOk = end.heapUsedBytes <= Math.max(start.heapUsedBytes * 1.10, start.heapUsedBytes + 2 * 1024 * 1024)
  const nodesOk = end.domNodes <= start.domNodes * 1.10
  const listenersOk = end.listeners <= start.listeners * 1.10 + 10
  const elementsOk = end.elements <= start.elements * 1.10
  const bad = [heapOk ? '' : 'heap', nodesOk ? '' : 'DOM nodes', listenersOk ? '' : 'listeners', elementsOk ? '' : 'elements'].filter((s) => s !== '')
  return { flat: bad.length === 0, verdict: bad.length === 0 ? 'flat' : `grew: ${bad.join(', ')}` }
}

/**
 * `hours` simulated hours in 10-minute slices (so each 60 s poll really runs, one at a time); every
 * `walkEvery` hours a walk through every section; every hour a content change (`poke`, which the
 * gateway turns into SSE `state` events to every screen).
 */
export async function soak (b: BenchSetup, options: { hours: number, warmupHours: number, poke: () => Promise<void>, walkEvery?: number, sampleEvery?: number }): Promise<SoakResult> {
  const t0 = Date.now()
  // Pairing runs on the fake clock too; it flows at real speed until runFor takes over.
  const { context, page } = await openScreen(b, { size: '720p', clock: true })
  const cdp = await context.newCDPSession(page)
  let polls = 0
  page.on('request', (req) => { if (req.url().includes('/tv/api/state')) polls++ })
  try {
    await cdp.send('Performance.enable')
    let navCycles = 0
    let stateEvents = 0
    let simHour = 0
    const hour = async (): Promise<void> => {
      simHour++
      for (let slice = 0; slice < 6; slice++) {
        await page.clock.runFor(10 * 60_000)
        // Let the re-fetches the slice started finish on the real network.
        await page.waitForTimeout(15)
      }
      await options.poke()
      stateEvents += 2 // published, then withdrawn: two content changes, two SSE `state` events
      await page.waitForTimeout(30)
      // Every warm-up hour walks too: the first walks compile code paths and fill the app's bounded
      // caches (finance pages), which is growth a leak check must not count.
      if (simHour <= options.warmupHours || simHour % (options.walkEvery ?? 1) === 0) {
        await cycleSections(page)
        navCycles++
      }
    }
    for (let h = 0; h < options.warmupHours; h++) await hour()
    const start = await sample(page, cdp, options.warmupHours)
    const samples = [start]
    const every = options.sampleEvery ?? 12
    for (let h = 1; h <= options.hours; h++) {
      await hour()
      if (h % every === 0 && h !== options.hours) samples.push(await sample(page, cdp, options.warmupHours + h))
    }
    const end = await sample(page, cdp, options.warmupHours + options.hours)
    samples.push(end)
    // The trend where a leak would show: heap growth per simulated day over the second half.
    const mid = samples[Math.floor((samples.length - 1) / 2)] as SoakSample
    const heapGrowthLastHalfPerDayBytes = Math.round((end.heapUsedBytes - mid.heapUsedBytes) / ((end.simHours - mid.simHours) / 24))
    return { simHours: options.warmupHours + options.hours, heapGrowthLastHalfPerDayBytes, navCycles, stateEvents, polls, wallMs: Date.now() - t0, samples, start, end, ...isFlat(start, end) }
  } finally {
    await cdp.detach().catch(() => {})
    await context.close()
  }
}
