// /tv/ and /tv/app.js as a set-top box fetches them: gzip when asked, ETag revalidation, cache headers.
import Fastify, { type FastifyInstance } from 'fastify'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tvAppRoutes } from '../../gateway/tv/tv-app-routes.ts'

describe('TV app routes', () => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = Fastify()
    await app.register(tvAppRoutes)
    await app.ready()
  })
  afterAll(async () => { await app.close() })

  it('redirects /tv to /tv/ keeping the query', async () => {
    const res = await app.inject({ url: '/tv?poll=2000' })
    expect(res.statusCode).toBe(301)
    expect(res.headers.location).toBe('tv/?poll=2000')
  })

  it('serves index.html with the CSS inlined, gzip when accepted, and 304 on a matching ETag', async () => {
    const res = await app.inject({ url: '/tv/', headers: { 'accept-encoding': 'gzip, deflate' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.headers['cache-control']).toBe('no-cache')
    const html = gunzipSync(res.rawPayload).toString('utf8')
    expect(html).toContain('<style>')
    expect(html).toMatch(/<script src="app\.js\?v=[0-9a-f]{12}">/)
    for (const id of ['clock', 'date', 'lunar', 'updated-at', 'screen', 'takeover']) expect(html).toContain('id="' + id + '"')
    const again = await app.inject({ url: '/tv/', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers.etag) } })
    expect(again.statusCode).toBe(304)
    const plain = await app.inject({ url: '/tv/' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.etag).not.toBe(res.headers.etag)
    expect(plain.body).toBe(html)
  })

  it('serves app.js, cached for a year only under its own hash', async () => {
    const html = (await app.inject({ url: '/tv/' })).body
    const src = /app\.js\?v=([0-9a-f]+)/.exec(html)?.[1]
    const hashed = await app.inject({ url: '/tv/app.js?v=' + src })
    expect(hashed.statusCode).toBe(200)
    expect(hashed.headers['content-type']).toContain('javascript')
    expect(hashed.headers['cache-control']).toContain('immutable')
    const bare = await app.inject({ url: '/tv/app.js' })
    expect(bare.headers['cache-control']).toBe('no-cache')
    expect(bare.body).toBe(hashed.body)
  })
})
