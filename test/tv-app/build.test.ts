// The built app must run on Chrome 38-era WebViews: ES5 syntax only (acorn at ecmaVersion 5 is the
// judge), none of the later built-ins, no CSS grid, and within the size budgets.
import { parse } from 'acorn'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildTvApp, type TvAppBuild } from '../../tv-app/build.ts'

const KB = 1024
// APIs a Chrome 38-era engine lacks (or lacks in the form used), as they would appear in the output.
const DENIED_JS: Array<[string, RegExp]> = [
  ['fetch', /(^|[^.\w$])fetch\s*\(/],
  ['Object.assign', /Object\.assign\b/],
  ['Object.values/entries', /Object\.(values|entries)\b/],
  ['Array.prototype.find/findIndex', /\.find(Index)?\(/],
  ['includes', /\.includes\(/],
  ['startsWith/endsWith', /\.(startsWith|endsWith)\(/],
  ['padStart/padEnd/repeat', /\.(padStart|padEnd|repeat)\(/],
  ['Element.closest', /\.closest\(/],
  ['Element.append/prepend/remove', /\.(append|prepend|remove|replaceWith)\(/],
  ['Promise.finally', /\.finally\(/],
  ['Array.from/of', /Array\.(from|of)\b/],
  ['Symbol (for-of, spread of iterables)', /\bSymbol\b/],
  ['Map/Set', /new (Map|Set|WeakMap|WeakSet)\b/],
  ['Promise', /\bPromise\b/],
  ['Number.isNaN/isFinite/Math.trunc/sign', /Number\.is(NaN|Finite|Integer)|Math\.(trunc|sign)\b/],
  ['requestIdleCallback/IntersectionObserver', /requestIdleCallback|IntersectionObserver|ResizeObserver/],
  ['classList.toggle with force / dataset', /\.dataset\b/]
]
const DENIED_CSS: Array<[string, RegExp]> = [
  ['CSS grid', /display:\s*(inline-)?grid/],
  ['flex gap (Chrome 84)', /[;{]\s*(row-|column-)?gap:/],
  ['CSS variables (Chrome 49)', /var\(--/],
  ['position: sticky', /sticky/]
]

describe('TV app build', () => {
  let app: TvAppBuild
  beforeAll(async () => { app = await buildTvApp() })

  it('is ES5: acorn parses the built JS at ecmaVersion 5', () => {
    expect(() => parse(app.js, { ecmaVersion: 5 })).not.toThrow()
  })

  it('uses none of the later APIs (deny list)', () => {
    const js = DENIED_JS.filter(([, re]) => re.test(app.js)).map(([name]) => name)
    const css = DENIED_CSS.filter(([, re]) => re.test(app.css)).map(([name]) => name)
    expect(js).toEqual([])
    expect(css).toEqual([])
  })

  it('does not bundle zod or any server code (types only from src/tv/tv-api.ts)', () => {
    expect(app.js).not.toMatch(/ZodError|safeParse|node:/)
  })

  it('is within budget: JS ≤ 50 KB gzipped, index.html + CSS + JS ≤ 100 KB gzipped', () => {
    const js = gzipSync(app.js, { level: 9 }).length
    const html = gzipSync(app.html, { level: 9 }).length // the CSS is inlined in it
    console.log(`TV app: js ${(app.js.length / KB).toFixed(1)} KB raw, ${(js / KB).toFixed(1)} KB gzipped; index.html with CSS ${(html / KB).toFixed(1)} KB gzipped; critical path ${((js + html) / KB).toFixed(1)} KB gzipped`)
    expect(app.sizes.jsGzip).toBe(js)
    expect(js).toBeLessThanOrEqual(50 * KB)
    expect(js + html).toBeLessThanOrEqual(100 * KB)
  })

  it('inlines the CSS and the fixed element ids the end-to-end tests rely on', () => {
    expect(app.html).toContain('<style>' + app.css + '</style>')
    expect(app.html).toContain('<div id="takeover" hidden>')
    expect(app.html).toContain('data-screen="home"')
  })
})
