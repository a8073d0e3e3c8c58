/// <reference lib="dom" />
// Key press → visible focus change, measured two ways in real Chromium:
// - in the page: the keydown event's timeStamp (when the browser took the input) to the first
//   requestAnimationFrame callback after focus moved (the frame that paints the new focus; `frame`), and
//   to a task queued from that callback (after the frame's paint; `painted`);
// - end to end from outside: the CDP Input.dispatchKeyEvent call in Node to the page's report of that
//   frame arriving back over CDP (Runtime.addBinding) — includes two IPC hops, so an upper bound.
// Presses that move nothing are not samples (the walk learns where the row ends, so there are few).
import type { CDPSession, Page } from 'playwright-core'
import type { BenchSetup } from './bench-setup.ts'
import { openScreen } from './bench-setup.ts'
import { focusOn } from './walk.ts'

export const PROBE = `(() => {
  var pending = null
  window.__anjuLatency = []
  window.addEventListener('keydown', function (e) { pending = { t0: e.timeStamp, start: performance.now() } }, true)
  document.addEventListener('focusin', function () {
    var p = pending
    pending = null
    // A press that moved nothing leaves no sample (a later re-render's focus is not that press's).
    if (!p || performance.now() - p.start > 1000) return
    p.focus = performance.now()
    requestAnimationFrame(function () {
      p.frame = performance.now()
      var ch = new MessageChannel()
      ch.port1.onmessage = function () {
        p.painted = performance.now()
        window.__anjuLatency.push(p)
      }
      ch.port2.postMessage(0)
      if (window.anjuFrame) window.anjuFrame('')
    })
  }, true)
})()`

const VK: Record<string, { key: string, code: string, vk: number }> = {
  left: { key: 'ArrowLeft', code: 'ArrowLeft', vk: 37 },
  up: { key: 'ArrowUp', code: 'ArrowUp', vk: 38 },
  right: { key: 'ArrowRight', code: 'ArrowRight', vk: 39 },
  down: { key: 'ArrowDown', code: 'ArrowDown', vk: 40 },
  ok: { key: 'Enter', code: 'Enter', vk: 13 },
  back: { key: 'Escape', code: 'Escape', vk: 27 }
}

export interface LatencyRun { frameMs: number[], paintedMs: number[], cdpMs: number[], screenChangeMs: number[], noMove: number }

async function sendKey (cdp: CDPSession, name: string): Promise<void> {
  const k = VK[name] as { key: string, code: string, vk: number }
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: k.key, code: k.code, windowsVirtualKeyCode: k.vk, nativeVirtualKeyCode: k.vk })
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k.key, code: k.code, windowsVirtualKeyCode: k.vk, nativeVirtualKeyCode: k.vk })
}

/** One press; resolves with the CDP round trip, or null when focus did not move within 1 s. */
async function timedPress (cdp: CDPSession, frames: { next: () => Promise<number | null> }, name: string): Promise<number | null> {
  const t0 = performance.now()
  const frame = frames.next()
  await sendKey(cdp, name)
  const at = await frame
  return at === null ? null : at - t0
}

function frameWaiter (cdp: CDPSession): { next: () => Promise<number | null> } {
  let resolve: ((t: number | null) => void) | null = null
  cdp.on('Runtime.bindingCalled', (e) => {
    if (e.name !== 'anjuFrame' || resolve === null) return
    const r = resolve
    resolve = null
    r(performance.now())
  })
  return {
    next: () => new Promise<number | null>((res) => {
      resolve = res
      setTimeout(() => { if (resolve === res) { resolve = null; res(null) } }, 1000)
    })
  }
}

/**
 * `presses` arrow presses to and fro along the home screen's tiles, then `screenChanges` OK/Back
 * pairs into each section and back. `cpuSlowdown` > 1 emulates a slower set-top box CPU.
 */
export async function measureLatency (b: BenchSetup, options: { size: '720p' | '1080p', presses: number, screenChanges: number, cpuSlowdown?: number }): Promise<LatencyRun> {
  const { context, page } = await openScreen(b, { size: options.size, initScripts: [PROBE] })
  const cdp = await context.newCDPSession(page)
  try {
    await cdp.send('Runtime.enable')
    await cdp.send('Runtime.addBinding', { name: 'anjuFrame' })
    if ((options.cpuSlowdown ?? 1) > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuSlowdown as number })
    const frames = frameWaiter(cdp)
    await page.waitForFunction(() => document.activeElement?.hasAttribute('data-focus') === true, undefined, { timeout: 15_000 })
    if (!await focusOn(page, '[data-tile="party"]')) throw new Error('the 智慧党建 tile never got focus')
    // Pairing walked the remote too: only the presses below are samples.
    await page.evaluate(() => { (window as unknown as { __anjuLatency: unknown[] }).__anjuLatency.length = 0 })
    const run: LatencyRun = { frameMs: [], paintedMs: [], cdpMs: [], screenChangeMs: [], noMove: 0 }
    // To and fro along the home tiles: the first pass learns how many moves reach the far end, after
    // that the walk turns there, so no press runs into the edge and waits out the no-move timeout.
    let dir = 'right'
    let moves = 0
    let span = Number.POSITIVE_INFINITY
    const turn = (): void => { dir = dir === 'right' ? 'left' : 'right'; moves = 0 }
    while (run.cdpMs.length < options.presses) {
      if (moves === span) turn()
      const ms = await timedPress(cdp, frames, dir)
      if (ms === null) {
        if (++run.noMove > 20) throw new Error('focus does not move along the home tiles')
        if (moves > 0) span = moves
        turn()
        continue
      }
      moves++
      run.cdpMs.push(ms)
    }
    const pageSamples = await collect(page)
    for (const s of pageSamples) { run.frameMs.push(s.frame - s.t0); run.paintedMs.push(s.painted - s.t0) }
    // Into a section and back: the new screen's first focus, same probe.
    for (let i = 0; i < options.screenChanges; i++) {
      const before = (await collect(page)).length
      await sendKey(cdp, 'ok')
      await page.waitForFunction((n) => (window as unknown as { __anjuLatency: unknown[] }).__anjuLatency.length > n, before, { timeout: 15_000 })
      await sendKey(cdp, 'back')
      await page.waitForFunction((n) => (window as unknown as { __anjuLatency: unknown[] }).__anjuLatency.length > n + 1 && document.body.getAttribute('data-screen') === 'home', before, { timeout: 15_000 })
      const all = await collect(page)
      for (const s of all.slice(before)) run.screenChangeMs.push(s.frame - s.t0)
      await sendKey(cdp, (i % 2 === 0 ? 'right' : 'left')) // the next tile
      await page.waitForTimeout(50)
    }
    return run
  } finally {
    await cdp.detach().catch(() => {})
    await context.close()
  }
}

async function collect (page: Page): Promise<Array<{ t0: number, frame: number, painted: number }>> {
  return await page.evaluate(() => (window as unknown as { __anjuLatency: Array<{ t0: number, frame: number, painted: number }> }).__anjuLatency.slice())
}
