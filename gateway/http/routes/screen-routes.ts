// Admin API of TV screens (/api/v1/screens): pair a screen by the code it shows, list, revoke. The token
// never passes through here: the screen fetches it itself (GET /tv/api/pair/:pairingId), and only its
// SHA-256 is stored, so a list cannot leak one.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { entityId } from '../../../src/registry-schemas.ts'
import type { ScreenStore } from '../../tv/screen-store.ts'

const security = [{ admin: [] }]
const tags = ['screens']
const by = z.string().trim().min(1).max(100)

export const screenSchema = z.object({
  id: z.string(),
  villageId: z.string(),
  homeId: z.string().nullable(),
  label: z.string(),
  pairedAt: z.number().int(),
  pairedBy: z.string(),
  revokedAt: z.number().int().nullable(),
  revokedBy: z.string().nullable(),
  lastSeenAt: z.number().int().nullable()
})

export const pairInput = z.object({
  code: z.string().regex(/^\d{6}$/, 'the six digits the screen shows'),
  homeId: entityId.optional(),
  villageId: entityId.optional(),
  label: z.string().trim().min(1).max(100).optional(),
  by
}).refine((p) => (p.homeId === undefined) !== (p.villageId === undefined), {
  message: 'give exactly one of homeId (the household\'s own screen) or villageId (a public screen)'
})

export async function screenRoutes (app: FastifyInstance, deps: { screens: ScreenStore }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { screens } = deps

  r.post('/screens/pair', {
    schema: {
      tags,
      security,
      description: 'Bind the screen showing `code` to a household (its own screen: sees that home\'s alerts and activity) or to a village (public content only). ' +
        '404 PAIRING_CODE_NOT_FOUND for a wrong or expired code; after 10 wrong codes in a minute (all admins together) 429 until the minute ends. Audited.',
      body: pairInput,
      response: { 201: screenSchema }
    }
  }, async (req, reply) => reply.code(201).send(screens.pair(req.body)))

  r.get('/screens', {
    schema: {
      tags,
      security,
      description: 'Paired screens, newest first, revoked ones included.',
      querystring: z.object({ villageId: entityId.optional(), homeId: entityId.optional() }),
      response: { 200: z.array(screenSchema) }
    }
  }, async (req) => screens.list(req.query))

  r.delete('/screens/:id', {
    schema: {
      tags,
      security,
      description: 'Revoke a screen: its token stops working at once (401 SCREEN_REVOKED; the screen returns to pairing) and its open event streams are closed. Audited; idempotent.',
      params: z.object({ id: z.string().min(1).max(60) }),
      querystring: z.object({ by: by.default('admin') }),
      response: { 200: screenSchema }
    }
  }, async (req) => screens.revoke(req.params.id, req.query.by))
}
