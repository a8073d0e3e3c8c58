// Serves the TV app (tv-app/) at /tv/: built in memory on first use to ES5 (tv-app/build.ts), kept
// gzip-compressed, with ETags so a box revalidates with a 304 instead of downloading it again.
// index.html is `no-cache` (always revalidated, so a new app reaches every box on its next load);
// app.js is referenced as app.js?v=<hash> and cached for a year under that exact hash.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { buildTvApp } from '../../tv-app/build.ts'
import { asset, lazyBuild, sendAsset, type Asset } from '../http/static-asset.ts'

interface Assets { html: Asset, js: Asset, jsHash: string }

const load = lazyBuild(async (): Promise<Assets> => {
  const built = await buildTvApp()
  return { html: asset(built.html, 'text/html; charset=utf-8'), js: asset(built.js, 'application/javascript; charset=utf-8'), jsHash: built.jsHash }
}, 'tv-app')

export async function tvAppRoutes (app: FastifyInstance): Promise<void> {
  const unavailable = (reply: FastifyReply): FastifyReply => reply.code(503).header('Retry-After', '60').send({ error: 'TV_APP_UNAVAILABLE', message: '电视应用暂时不可用' })

  // Relative, keeping the query (?poll=…), so it also works behind a reverse proxy's path prefix.
  app.get('/tv', (req, reply) => {
    const q = req.url.indexOf('?')
    return reply.redirect('tv/' + (q >= 0 ? req.url.slice(q) : ''), 301)
  })
  app.get('/tv/', async (req, reply) => {
    const a = await load(req.log)
    return a ? sendAsset(req, reply, a.html, 'no-cache') : unavailable(reply)
  })
  app.get('/tv/app.js', async (req, reply) => {
    const a = await load(req.log)
    if (!a) return unavailable(reply)
    const v = (req.query as { v?: string }).v
    return sendAsset(req, reply, a.js, v === a.jsHash ? 'public, max-age=31536000, immutable' : 'no-cache')
  })
}
