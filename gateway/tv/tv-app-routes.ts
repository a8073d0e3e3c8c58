// Serves the TV app (tv-app/) at /tv/: built in memory on first use to ES5 (tv-app/build.ts), kept
// gzip-compressed, with ETags so a box revalidates with a 304 instead of downloading it again.
// index.html is `no-cache` (always revalidated, so a new app reaches every box on its next load);
// app.js is referenced as app.js?v=<hash> and cached for a year under that exact hash.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { buildTvApp, type TvAppBuild } from '../../tv-app/build.ts'

interface Asset { type: string, plain: Buffer, gzip: Buffer, etag: string }

function asset (text: string, type: string): Asset {
  const plain = Buffer.from(text, 'utf8')
  return { type, plain, gzip: gzipSync(plain, { level: 9 }), etag: createHash('sha256').update(plain).digest('base64url').slice(0, 22) }
}

// One build per process: test suites start many gateways, and the output depends only on the source.
let building: Promise<TvAppBuild> | null = null
function buildOnce (): Promise<TvAppBuild> {
  if (!building) building = buildTvApp().catch((err: unknown) => { building = null; throw err })
  return building
}

function send (req: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string): FastifyReply {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
  // Different bytes, different validators: the gzip and identity bodies must not share an ETag.
  const etag = '"' + a.etag + (gzip ? '-gz' : '') + '"'
  reply.header('Content-Type', a.type).header('Cache-Control', cacheControl).header('ETag', etag).header('Vary', 'Accept-Encoding')
    .header('X-Content-Type-Options', 'nosniff')
  const inm = String(req.headers['if-none-match'] ?? '')
  if (inm.split(/\s*,\s*/).indexOf(etag) >= 0 || inm === '*') return reply.code(304).send()
  if (gzip) reply.header('Content-Encoding', 'gzip')
  return reply.send(gzip ? a.gzip : a.plain)
}

interface Assets { html: Asset, js: Asset, jsHash: string }

export async function tvAppRoutes (app: FastifyInstance): Promise<void> {
  // Built on the first request, not at start-up: a build takes ~0.8 s of CPU, and most gateways (every
  // test, a gateway whose screens are elsewhere) never serve the app. A failed build is retried on the
  // next request; the rest of the gateway (alerts above all) never depends on it.
  let assets: Promise<Assets | null> | null = null
  const load = async (): Promise<Assets | null> => {
    assets ??= buildOnce().then((built) => ({
      html: asset(built.html, 'text/html; charset=utf-8'),
      js: asset(built.js, 'application/javascript; charset=utf-8'),
      jsHash: built.jsHash
    }), (err: unknown) => {
      app.log.error({ err, feature: 'tv-app' }, 'TV app build failed; /tv/ answers 503')
      assets = null
      return null
    })
    return await assets
  }
  const unavailable = (reply: FastifyReply): FastifyReply => reply.code(503).header('Retry-After', '60').send({ error: 'TV_APP_UNAVAILABLE', message: '电视应用暂时不可用' })

  // Relative, keeping the query (?poll=…), so it also works behind a reverse proxy's path prefix.
  app.get('/tv', (req, reply) => {
    const q = req.url.indexOf('?')
    return reply.redirect('tv/' + (q >= 0 ? req.url.slice(q) : ''), 301)
  })
  app.get('/tv/', async (req, reply) => {
    const a = await load()
    return a ? send(req, reply, a.html, 'no-cache') : unavailable(reply)
  })
  app.get('/tv/app.js', async (req, reply) => {
    const a = await load()
    if (!a) return unavailable(reply)
    const v = (req.query as { v?: string }).v
    return send(req, reply, a.js, v === a.jsHash ? 'public, max-age=31536000, immutable' : 'no-cache')
  })
}
