// Notice images from the console: a clerk (or admin) uploads a PNG or JPEG and gets the url to put in a
// notice's images. The file travels base64 in JSON like a ledger import (the console API accepts JSON
// only: its CSRF defence). Audited; the store (gateway/content/media-store.ts) checks the bytes.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { entityId } from '../../../src/registry-schemas.ts'
import { mediaUploadBody, mediaUploaded } from '../../../src/content/media.ts'
import { AnjuError } from '../../../src/errors.ts'
import { MEDIA_BODY_LIMIT } from '../../http/routes/media-routes.ts'
import { requireRole } from '../auth/principal.ts'
import type { ConsoleApi } from './common.ts'

export function mediaApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  app.withTypeProvider<ZodTypeProvider>().post('/media', {
    bodyLimit: MEDIA_BODY_LIMIT,
    schema: {
      tags: ['console: notices'],
      body: mediaUploadBody.extend({ villageId: entityId.optional().describe('the village the image is for (checked, audited)') }),
      response: { 200: mediaUploaded },
      description: 'Upload a notice image: PNG or JPEG (checked by its bytes), at most 2 MB and 4096×4096 pixels. ' +
        'Admin or a village clerk. Returns the /media/... url to use in a notice\'s images (with a caption: the words go in the caption).'
    }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    if (req.body.villageId !== undefined) access.assertManageVillage(p, req.body.villageId)
    else if (p.role === 'clerk' && p.villageIds.length === 0) throw new AnjuError('FORBIDDEN')
    const { name, created, ...stored } = deps.media.put(Buffer.from(req.body.dataBase64, 'base64'))
    access.audit(p, 'upload', 'media', name, { villageId: req.body.villageId ?? null, fileName: req.body.fileName ?? null, bytes: stored.bytes, width: stored.width, height: stored.height, created })
    return stored
  })
}
