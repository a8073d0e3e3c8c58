// The gateway's two web apps (the TV app at /tv/, the console at /console/) are built in memory from
// source, kept in plain and gzip form, and sent with ETags so a browser revalidates with a 304.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'

export interface Asset { type: string, plain: Buffer, gzip: Buffer, etag: string }

export function asset (text: string, type: string): Asset {
  const plain = Buffer.from(text, 'utf8')
  return { type, plain, gzip: gzipSync(plain, { level: 9 }), etag: createHash('sha256').update(plain).digest('base64url').slice(0, 22) }
}

export function sendAsset (req: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string): FastifyReply {
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

/**
 * A build run on first use and kept for the process: the output depends only on the source, a build
 * costs ~0.8 s of CPU, and most gateways (every test, a gateway whose screens are elsewhere) never serve
 * the app. A failed build is logged, answers null (the route sends 503) and is retried on the next call;
 * the rest of the gateway (alerts above all) never depends on it.
 */
export function lazyBuild<T> (build: () => Promise<T>, what: string): (log: FastifyBaseLogger) => Promise<T | null> {
  let building: Promise<T> | null = null
  return async (log) => {
    building ??= build()
    try {
      return await building
    } catch (err) {
      building = null
      log.error({ err, feature: what }, `${what} build failed; answering 503`)
      return null
    }
  }
}
