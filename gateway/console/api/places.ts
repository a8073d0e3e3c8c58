// Villages, grids, homes, residents and contacts within the caller's scope. Clerks manage their
// villages; grid workers and family read what they may see; reviewers see no residents' data.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import { contact, contactInput, entityId, grid, gridInput, home, homeInput, resident, residentInput, village, villageInput, type Contact } from '../../../src/registry-schemas.ts'
import { contactUpdate, gridUpdate, homeDetail, homeUpdate, placeQuery } from '../../../src/console/console-schemas.ts'
import { requireRole, type Principal } from '../auth/principal.ts'
import { within, type ConsoleApi } from './common.ts'

const idParam = z.object({ id: entityId })
const STAFF = ['admin', 'clerk', 'grid_worker'] as const

export function placesApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { places } = deps
  const tags = ['console: places']
  const homeOr404 = (p: Principal, id: string): z.infer<typeof home> => {
    access.assertHome(p, id)
    return places.getHome(id) as z.infer<typeof home>
  }
  const villageOfGrid = (gridId: string): string => {
    const g = places.getGrid(gridId)
    if (g === undefined) throw new AnjuError('NOT_FOUND')
    return g.villageId
  }
  /** A contact hangs off a home, a grid or a village: scope is checked on whichever it is. */
  const assertContactWrite = (p: Principal, c: { homeId?: string | null, gridId?: string | null, villageId?: string | null }): void => {
    if (c.homeId != null) { access.assertHome(p, c.homeId); access.assertManageVillage(p, (places.getHome(c.homeId) as { villageId: string }).villageId) }
    else if (c.gridId != null) access.assertManageVillage(p, villageOfGrid(c.gridId))
    else if (c.villageId != null) access.assertManageVillage(p, c.villageId)
  }
  const contactOr404 = (p: Principal, id: string): Contact => {
    const c = places.getContact(id)
    if (c === undefined) throw new AnjuError('NOT_FOUND')
    const visible = c.homeId !== null ? access.canSeeHome(p, c.homeId) : c.gridId !== null ? access.canSeeGrid(p, c.gridId) : access.canManageVillage(p, c.villageId as string)
    if (!visible) throw new AnjuError('NOT_FOUND')
    return c
  }

  r.get('/villages', { schema: { tags, response: { 200: z.array(village) }, description: 'The villages the caller belongs to (all for admin).' } }, async (req) => {
    const p = requireRole(req)
    return within(places.listVillages(), access.villageIdsVisible(p), (v) => v.id)
  })
  r.post('/villages', { schema: { tags, body: villageInput, response: { 201: village }, description: 'Admin only.' } }, async (req, reply) => {
    const p = requireRole(req, 'admin')
    const v = places.createVillage(req.body)
    access.audit(p, 'create', 'village', v.id, { name: v.name })
    return reply.code(201).send(v)
  })

  r.get('/grids', { schema: { tags, querystring: placeQuery.pick({ villageId: true }), response: { 200: z.array(grid) } } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker')
    return within(places.listGrids(req.query.villageId), access.gridIdsVisible(p), (g) => g.id)
  })
  r.post('/grids', { schema: { tags, body: gridInput, response: { 201: grid }, description: 'Admin, or a clerk of the village.' } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, req.body.villageId)
    const g = places.createGrid(req.body)
    access.audit(p, 'create', 'grid', g.id, { villageId: g.villageId, name: g.name })
    return reply.code(201).send(g)
  })
  r.patch('/grids/:id', { schema: { tags, params: idParam, body: gridUpdate, response: { 200: grid } } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertGrid(p, req.params.id)
    access.assertManageVillage(p, villageOfGrid(req.params.id))
    const g = places.renameGrid(req.params.id, req.body.name)
    access.audit(p, 'update', 'grid', req.params.id, req.body)
    return g
  })

  r.get('/homes', { schema: { tags, querystring: placeQuery, response: { 200: z.array(home) }, description: 'Homes in scope: a grid worker\'s grids, a family member\'s elder, a clerk\'s villages.' } }, async (req) => {
    const p = requireRole(req)
    return within(places.listHomes(req.query), access.homeIdsVisible(p), (h) => h.id)
  })
  r.get('/homes/:id', { schema: { tags, params: idParam, response: { 200: homeDetail }, description: '404 outside the caller\'s scope. Staff views are audited.' } }, async (req) => {
    const p = requireRole(req)
    const h = homeOr404(p, req.params.id)
    const gridName = places.getGrid(h.gridId)?.name ?? ''
    const villageName = places.listVillages().find((v) => v.id === h.villageId)?.name ?? ''
    access.auditView(p, 'home', h.id)
    return { ...h, gridName, villageName }
  })
  r.post('/homes', { schema: { tags, body: homeInput, response: { 201: home } } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, villageOfGrid(req.body.gridId))
    const h = places.createHome(req.body)
    access.audit(p, 'create', 'home', h.id, { gridId: h.gridId, label: h.label })
    return reply.code(201).send(h)
  })
  r.patch('/homes/:id', { schema: { tags, params: idParam, body: homeUpdate, response: { 200: home } } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const h = homeOr404(p, req.params.id)
    access.assertManageVillage(p, h.villageId)
    const updated = places.relabelHome(h.id, req.body.label)
    access.audit(p, 'update', 'home', h.id, req.body)
    return updated
  })

  r.get('/homes/:id/residents', { schema: { tags, params: idParam, response: { 200: z.array(resident) }, description: 'Audited (a staff view of residents\' data).' } }, async (req) => {
    const p = requireRole(req, ...STAFF, 'family')
    homeOr404(p, req.params.id)
    access.auditView(p, 'residents', req.params.id)
    return places.listResidents(req.params.id)
  })
  r.post('/residents', { schema: { tags, body: residentInput, response: { 201: resident } } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertManageVillage(p, homeOr404(p, req.body.homeId).villageId)
    const res = places.createResident(req.body)
    access.audit(p, 'create', 'resident', res.id, { homeId: res.homeId })
    return reply.code(201).send(res)
  })
  r.delete('/residents/:id', { schema: { tags, params: idParam, description: 'Deletes the resident and the telemetry of their home (privacy).' } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    const homeId = places.residentHome(req.params.id)
    if (homeId === undefined) throw new AnjuError('NOT_FOUND')
    access.assertManageVillage(p, homeOr404(p, homeId).villageId)
    places.deleteResident(req.params.id)
    await deps.telemetry.deleteHome(homeId)
    access.audit(p, 'delete', 'resident', req.params.id, { homeId })
    return reply.code(204).send()
  })

  r.get('/homes/:id/contacts', { schema: { tags, params: idParam, response: { 200: z.array(contact) }, description: 'The home\'s escalation ladder: family by priority, then its grid\'s workers and volunteers, then village duty.' } }, async (req) => {
    const p = requireRole(req, ...STAFF, 'family')
    const h = homeOr404(p, req.params.id)
    access.auditView(p, 'contacts', h.id)
    return [...places.listContacts({ homeId: h.id }), ...places.listContacts({ gridId: h.gridId }), ...places.listContacts({ villageId: h.villageId })]
  })
  r.post('/contacts', { schema: { tags, body: contactInput, response: { 201: contact } } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    assertContactWrite(p, req.body)
    const c = places.createContact(req.body)
    access.audit(p, 'create', 'contact', c.id, { homeId: c.homeId, gridId: c.gridId, villageId: c.villageId, role: c.role, priority: c.priority })
    return reply.code(201).send(c)
  })
  r.patch('/contacts/:id', { schema: { tags, params: idParam, body: contactUpdate, response: { 200: contact }, description: 'Rename, new phone, or move in the escalation order (priority, lowest first).' } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const c = contactOr404(p, req.params.id)
    assertContactWrite(p, c)
    const next = places.updateContact(c.id, req.body)
    access.audit(p, 'update', 'contact', c.id, req.body)
    return next
  })
  r.delete('/contacts/:id', { schema: { tags, params: idParam } }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    assertContactWrite(p, contactOr404(p, req.params.id))
    places.deleteContact(req.params.id)
    access.audit(p, 'delete', 'contact', req.params.id)
    return reply.code(204).send()
  })
}
