// Notice images: GET /media/:name for everyone (TV screens show them without a login; they are public
// village content) and POST /api/v1/content/media for the admin API. The console's upload is
// gateway/console/api/media.ts. A name is the SHA-256 of the bytes, so a url is immutable: cached for a
// year, revalidated by ETag, never sniffed into something else.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { actor } from '../../../src/content/content-schemas.ts'
import { mediaUploadBody, mediaUploaded } from '../../../src/content/media.ts'
import type { MediaStore } from '../../content/media-store.ts'
import type { Clock } from '../../../src/clock.ts'
import { auditWriter } from '../../content/content-context.ts'
import type { Db } from '../../db/open-database.ts'

/** A 2 MB image is ~2.8 MB of base64 (src/content/media.ts refuses larger); the gateway's default is 1 MB. */
export const MEDIA_BODY_LIMIT = 3_100_000

/** If-None-Match may list several tags, weak or strong (RFC 9110 §13.1.2); `*` matches any stored file. */
const matches = (header: string | undefined, etag: string): boolean =>
  header !== undefined && header.split(',').some((t) => { const tag = t.trim().replace(/^W\//, ''); return tag === etag || tag === '*' })

export async function mediaRoutes (app: FastifyInstance, deps: { media: MediaStore }): Promise<void> {
  app.get<{ Params: { name: string } }>('/media/:name', { schema: { hide: true } }, async (req, reply) => {
    const file = await deps.media.get(req.params.name)
    if (file === null) return reply.code(404).send({ error: 'NOT_FOUND', message: 'not found' })
    const etag = `"${file.hash}"`
    reply.header('ETag', etag)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('X-Content-Type-Options', 'nosniff')
    if (matches(req.headers['if-none-match'], etag)) return reply.code(304).send()
    return reply.type(file.contentType).send(file.bytes)
  })
}

export async function mediaAdminRoutes (app: FastifyInstance, deps: { media: MediaStore, db: Db, clock: Clock }): Promise<void> {
  const audit = auditWriter(deps.db, deps.clock)
  app.withTypeProvider<ZodTypeProvider>().post('/content/media', {
    bodyLimit: MEDIA_BODY_LIMIT,
    schema: {
      tags: ['content: notices'],
      security: [{ admin: [] }],
      body: mediaUploadBody.extend({ by: actor }),
      response: { 200: mediaUploaded },
      description: 'Upload a notice image (PNG or JPEG, checked by its bytes; at most 2 MB and 4096×4096). ' +
        'The same image twice gives the same url. Put the url in a notice\'s images with a caption.'
    }
  }, async (req) => {
    const { name, created, ...stored } = deps.media.put(Buffer.from(req.body.dataBase64, 'base64'))
    audit(req.body.by, 'upload', 'media', name, { fileName: req.body.fileName ?? null, bytes: stored.bytes, width: stored.width, height: stored.height, created })
    return stored
  })
}
