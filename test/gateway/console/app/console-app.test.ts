// The console as a browser fetches it: built in memory, gzip when asked, ETag revalidation, no-cache, and
// the security headers that keep a signed-in clerk's session from being framed or scripted.
import Fastify, { type FastifyInstance } from 'fastify'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_CSP, consoleAppRoutes } from '../../../../gateway/console/console-app-routes.ts'
import { previewCsv } from '../../../../gateway/console/app/src/csv-preview.ts'
import { fromLocalInput, toLocalInput } from '../../../../gateway/console/app/src/datetime.ts'

describe('console app routes', () => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = Fastify()
    await app.register(consoleAppRoutes)
    await app.ready()
  })
  afterAll(async () => { await app.close() })

  it('redirects /console to /console/', async () => {
    const res = await app.inject({ url: '/console' })
    expect(res.statusCode).toBe(301)
    expect(res.headers.location).toBe('console/')
  })

  it('serves index.html with no inline script or style, gzip when accepted, 304 on a matching ETag', async () => {
    const res = await app.inject({ url: '/console/', headers: { 'accept-encoding': 'gzip, deflate' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.headers['cache-control']).toBe('no-cache')
    const html = gunzipSync(res.rawPayload).toString('utf8')
    expect(html).toMatch(/<script src="app\.js\?v=[0-9a-f]{12}" defer><\/script>/)
    expect(html).toMatch(/<link rel="stylesheet" href="app\.css\?v=[0-9a-f]{12}">/)
    // A strict CSP would block these, so none may exist.
    expect(html).not.toMatch(/<script>|<style|\son[a-z]+=|style="/)
    const again = await app.inject({ url: '/console/', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers.etag) } })
    expect(again.statusCode).toBe(304)
    const plain = await app.inject({ url: '/console/' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.etag).not.toBe(res.headers.etag)
    expect(plain.body).toBe(html)
  })

  it('sends the CSP, frame, referrer and nosniff headers on every asset', async () => {
    for (const url of ['/console/', '/console/app.js', '/console/app.css']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP)
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['cache-control']).toBe('no-cache')
    }
    expect(CONSOLE_CSP).toContain("script-src 'self';")
    expect(CONSOLE_CSP).not.toContain('unsafe')
  })

  it('bundles minified ES2019 with preact, without server code', async () => {
    const js = (await app.inject({ url: '/console/app.js' })).body
    expect(js.length).toBeGreaterThan(10_000)
    expect(js).not.toMatch(/useLoad|StatementList/) // minified: local names are gone
    expect(js).not.toMatch(/node:|ZodError|better-sqlite3/)
    expect(js).not.toMatch(/\?\.|\?\?/) // lowered below ES2020: no optional chaining or ?? in the output
    expect(js).toContain('x-csrf-token')
    const css = await app.inject({ url: '/console/app.css' })
    expect(css.headers['content-type']).toContain('text/css')
  })
})

describe('console helpers', () => {
  it('previews CSV with quotes, CRLF and a BOM as the clerk wrote it', () => {
    expect(previewCsv('\uFEFF日期,摘要\r\n2026-10-01,"修路, 一期"\r\n2026-10-02,"说""明"""\n')).toEqual([
      ['日期', '摘要'], ['2026-10-01', '修路, 一期'], ['2026-10-02', '说"明"']
    ])
  })

  it('converts datetime-local values as China time whatever the browser zone', () => {
    const ms = Date.UTC(2026, 9, 1, 2, 30) // 10:30 in Beijing
    expect(toLocalInput(ms)).toBe('2026-10-01T10:30')
    expect(fromLocalInput('2026-10-01T10:30')).toBe(ms)
    expect(fromLocalInput('')).toBeNull()
  })
})
