// A built asset kept in memory in plain and gzip form, sent with an ETag so a browser revalidates with a
// 304. Same approach as gateway/tv/tv-app-routes.ts (which keeps its own copy; see the console issue).
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'

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
  const inm = String(req.headers['if-none-match'] ?? '')
  if (inm.split(/\s*,\s*/).indexOf(etag) >= 0 || inm === '*') return reply.code(304).send()
  if (gzip) reply.header('Content-Encoding', 'gzip')
  return reply.send(gzip ? a.gzip : a.plain)
}
