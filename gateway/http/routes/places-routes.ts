// Admin API for villages, grids, homes, residents and contacts.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  contact, contactInput, entityId, grid, gridInput, home, homeInput, resident, residentInput, village, villageInput
} from '../../../src/registry-schemas.ts'
import type { PlacesStore } from '../../registry/places-store.ts'
import type { TelemetryStore } from '../../../src/telemetry.ts'

const idParam = z.object({ id: entityId })
const security = [{ admin: [] }]

export async function placesRoutes (app: FastifyInstance, deps: { places: PlacesStore, telemetry: TelemetryStore }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { places } = deps

  r.post('/villages', { schema: { tags: ['villages'], security, body: villageInput, response: { 201: village } } },
    async (req, reply) => reply.code(201).send(places.createVillage(req.body)))
  r.get('/villages', { schema: { tags: ['villages'], security, response: { 200: z.array(village) } } },
    async () => places.listVillages())

  r.post('/grids', { schema: { tags: ['grids'], security, body: gridInput, response: { 201: grid } } },
    async (req, reply) => reply.code(201).send(places.createGrid(req.body)))
  r.get('/grids', { schema: { tags: ['grids'], security, querystring: z.object({ villageId: entityId.optional() }), response: { 200: z.array(grid) } } },
    async (req) => places.listGrids(req.query.villageId))

  r.post('/homes', { schema: { tags: ['homes'], security, body: homeInput, response: { 201: home } } },
    async (req, reply) => reply.code(201).send(places.createHome(req.body)))
  r.get('/homes', { schema: { tags: ['homes'], security, querystring: z.object({ gridId: entityId.optional(), villageId: entityId.optional() }), response: { 200: z.array(home) } } },
    async (req) => places.listHomes(req.query))

  r.post('/residents', { schema: { tags: ['residents'], security, body: residentInput, response: { 201: resident } } },
    async (req, reply) => reply.code(201).send(places.createResident(req.body)))
  r.get('/residents', { schema: { tags: ['residents'], security, querystring: z.object({ homeId: entityId.optional() }), response: { 200: z.array(resident) } } },
    async (req) => places.listResidents(req.query.homeId))
  r.delete('/residents/:id', {
    schema: { tags: ['residents'], security, params: idParam, description: 'Deletes the resident and all telemetry of their home (residents live alone; telemetry is kept per home).' }
  }, async (req, reply) => {
    const { homeId } = places.deleteResident(req.params.id)
    await deps.telemetry.deleteHome(homeId)
    return reply.code(204).send()
  })

  r.post('/contacts', { schema: { tags: ['contacts'], security, body: contactInput, response: { 201: contact } } },
    async (req, reply) => reply.code(201).send(places.createContact(req.body)))
  r.get('/contacts', { schema: { tags: ['contacts'], security, querystring: z.object({ homeId: entityId.optional(), gridId: entityId.optional(), villageId: entityId.optional() }), response: { 200: z.array(contact) } } },
    async (req) => places.listContacts(req.query))
  r.delete('/contacts/:id', { schema: { tags: ['contacts'], security, params: idParam } },
    async (req, reply) => { places.deleteContact(req.params.id); return reply.code(204).send() })
}
