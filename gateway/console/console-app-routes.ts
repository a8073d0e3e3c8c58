// Serves the console web app at /console/: built in memory at start-up (console/app/build.ts), kept
// gzip-compressed, with ETags and `no-cache` (always revalidated, so a new console reaches every desk on
// its next load). Strict security headers: the console holds a session that can publish to every
// screen of a village, so no inline script, no framing, no referrer leaking ids.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { buildConsoleApp, type ConsoleAppBuild } from './app/build.ts'
import { asset, sendAsset, type Asset } from './app/static-asset.ts'

export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// One build per process: test suites start many gateways, and the output depends only on the source.
let building: Promise<ConsoleAppBuild> | null = null
function buildOnce (): Promise<ConsoleAppBuild> {
  if (!building) building = buildConsoleApp().catch((err: unknown) => { building = null; throw err })
  return building
}

export async function consoleAppRoutes (app: FastifyInstance): Promise<void> {
  let assets: { html: Asset, js: Asset, css: Asset } | null = null
  try {
    const built = await buildOnce()
    assets = {
      html: asset(built.html, 'text/html; charset=utf-8'),
      js: asset(built.js, 'application/javascript; charset=utf-8'),
      css: asset(built.css, 'text/css; charset=utf-8')
    }
  } catch (err) {
    // The rest of the gateway (alerts above all) must start even if the console cannot be built.
    app.log.error({ err, feature: 'console-app' }, 'console app build failed; /console/ answers 503')
  }
  const unavailable = (reply: FastifyReply): FastifyReply =>
    reply.code(503).header('Retry-After', '60').send({ error: 'CONSOLE_APP_UNAVAILABLE', message: '管理后台暂时不可用' })

  app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply) => {
      reply.header('Content-Security-Policy', CONSOLE_CSP).header('X-Frame-Options', 'DENY')
        .header('Referrer-Policy', 'no-referrer').header('X-Content-Type-Options', 'nosniff')
    })
    // Relative, so it also works behind a reverse proxy's path prefix.
    scope.get('/console', (_req, reply) => reply.redirect('console/', 301))
    scope.get('/console/', (req, reply) => (assets ? sendAsset(req, reply, assets.html, 'no-cache') : unavailable(reply)))
    scope.get('/console/app.js', (req, reply) => (assets ? sendAsset(req, reply, assets.js, 'no-cache') : unavailable(reply)))
    scope.get('/console/app.css', (req, reply) => (assets ? sendAsset(req, reply, assets.css, 'no-cache') : unavailable(reply)))
  })
}
