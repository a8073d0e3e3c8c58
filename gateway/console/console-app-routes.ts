// Serves the console web app at /console/: built in memory on first use (console/app/build.ts), kept
// gzip-compressed, with ETags and `no-cache` (always revalidated, so a new console reaches every desk on
// its next load). Strict security headers: the console holds a session that can publish to every
// screen of a village, so no inline script, no framing, no referrer leaking ids.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { buildConsoleApp } from './app/build.ts'
import { asset, lazyBuild, sendAsset, type Asset } from '../http/static-asset.ts'

export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

const load = lazyBuild(async (): Promise<{ html: Asset, js: Asset, css: Asset }> => {
  const built = await buildConsoleApp()
  return {
    html: asset(built.html, 'text/html; charset=utf-8'),
    js: asset(built.js, 'application/javascript; charset=utf-8'),
    css: asset(built.css, 'text/css; charset=utf-8')
  }
}, 'console-app')

export async function consoleAppRoutes (app: FastifyInstance): Promise<void> {
  const unavailable = (reply: FastifyReply): FastifyReply =>
    reply.code(503).header('Retry-After', '60').send({ error: 'CONSOLE_APP_UNAVAILABLE', message: '管理后台暂时不可用' })

  app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply) => {
      reply.header('Content-Security-Policy', CONSOLE_CSP).header('X-Frame-Options', 'DENY')
        .header('Referrer-Policy', 'no-referrer').header('X-Content-Type-Options', 'nosniff')
    })
    // Relative, so it also works behind a reverse proxy's path prefix.
    scope.get('/console', (_req, reply) => reply.redirect('console/', 301))
    for (const [path, key] of [['/console/', 'html'], ['/console/app.js', 'js'], ['/console/app.css', 'css']] as const) {
      scope.get(path, async (req, reply) => {
        const assets = await load(req.log)
        return assets ? sendAsset(req, reply, assets[key], 'no-cache') : unavailable(reply)
      })
    }
  })
}
