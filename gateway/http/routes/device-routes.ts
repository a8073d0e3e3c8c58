// Admin API for sensors and hubs: register (secret shown once), list with live health, move, revoke,
// rotate the secret, set the retained config downlink.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceConfigPayload } from '../../../src/device-payloads.ts'
import { AnjuError } from '../../../src/errors.ts'
import { device, deviceCredentials, deviceInput, deviceMoveInput, entityId, type Device } from '../../../src/registry-schemas.ts'
import type { DeviceAdmin } from '../../registry/device-admin.ts'

export interface DeviceRouteDeps {
  deviceAdmin: DeviceAdmin
}

const idParam = z.object({ id: entityId })
const security = [{ admin: [] }]

export async function deviceRoutes (app: FastifyInstance, deps: DeviceRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const admin = deps.deviceAdmin
  const found = (d: Device | undefined, id: string): Device => {
    if (d === undefined) throw new AnjuError('NOT_FOUND', `device ${id} does not exist`)
    return d
  }

  for (const kind of ['sensor', 'hub'] as const) {
    const path = kind === 'sensor' ? '/devices' : '/hubs'
    r.post(path, {
      schema: { tags: ['devices'], security, description: `Register a ${kind}. The secret is in this response only; only its hash is stored.`, body: deviceInput, response: { 201: deviceCredentials } }
    }, async (req, reply) => reply.code(201).send(admin.register(kind, req.body)))
  }
  r.get('/devices', { schema: { tags: ['devices'], security, querystring: z.object({ homeId: entityId.optional(), hubId: entityId.optional() }), response: { 200: z.array(device) } } },
    async (req) => admin.list(req.query))
  r.get('/devices/:id', { schema: { tags: ['devices'], security, params: idParam, response: { 200: device } } },
    async (req) => found(admin.get(req.params.id), req.params.id))
  r.post('/devices/:id/move', { schema: { tags: ['devices'], security, params: idParam, body: deviceMoveInput, response: { 200: device } } },
    async (req) => admin.move(req.params.id, req.body.homeId))
  r.post('/devices/:id/revoke', { schema: { tags: ['devices'], security, params: idParam, response: { 200: device } } },
    async (req) => { admin.revoke(req.params.id); return found(admin.get(req.params.id), req.params.id) })
  r.post('/devices/:id/rotate-secret', { schema: { tags: ['devices'], security, params: idParam, response: { 200: deviceCredentials } } },
    async (req) => admin.rotateSecret(req.params.id))
  r.put('/devices/:id/config', { schema: { tags: ['devices'], security, params: idParam, body: deviceConfigPayload.partial(), response: { 200: deviceConfigPayload } } },
    async (req) => admin.setConfig(req.params.id, req.body))
}
