// The TV app's size budgets (issue 5), checked on every CI run: set-top boxes load the app over a village
// network on weak CPUs, and what is small to download is also small to parse. Sizes are deterministic
// (same source, same esbuild), so unlike timings they belong in a test; speed lives in bench/tv/main.ts.
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildTvApp } from '../../../tv-app/build.ts'

const KB = 1024
const JS_BUDGET = 50 * KB
const CRITICAL_PATH_BUDGET = 100 * KB

// The gateway serves these gzip-compressed; level 9 is what a build would use, level 6 what a proxy
// would: measure the larger (level 6) so the budget holds however it is compressed.
const gz = (text: string): number => gzipSync(Buffer.from(text, 'utf8'), { level: 6 }).length

describe('TV app budgets', () => {
  it('JavaScript ≤ 50 KB gzipped, HTML + CSS + JavaScript ≤ 100 KB gzipped', async () => {
    const app = await buildTvApp()
    const js = gz(app.js)
    // The build inlines the CSS into the HTML (one request fewer): then it is counted once, in the HTML.
    const css = app.html.includes(app.css) ? 0 : gz(app.css)
    const critical = gz(app.html) + css + js
    console.log(`TV app gzipped: js ${(js / KB).toFixed(1)} KB, html ${(gz(app.html) / KB).toFixed(1)} KB, separate css ${(css / KB).toFixed(1)} KB, critical path ${(critical / KB).toFixed(1)} KB`)
    expect(app.js.length).toBeGreaterThan(0)
    expect(js).toBeLessThanOrEqual(JS_BUDGET)
    expect(critical).toBeLessThanOrEqual(CRITICAL_PATH_BUDGET)
  })
})
