// Sensors and hubs of the homes in scope: register (secret once, with a QR label for the installer),
// health at a glance, revoke, rotate. Goes through DeviceAdmin, so a revoke or rotation also cuts the
// device's live MQTT connection.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import QRCode from 'qrcode'
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import { device, entityId, type Device, type DeviceCredentials } from '../../../src/registry-schemas.ts'
import { deviceHealthList, deviceProvisioned, deviceRegister, placeQuery } from '../../../src/console/console-schemas.ts'
import { mqttUrlFor, provisioningString } from '../../../src/console/provisioning.ts'
import { requireRole, type Principal } from '../auth/principal.ts'
import { within, type ConsoleApi } from './common.ts'

const idParam = z.object({ id: entityId })
/** Below this a battery gets replaced on the next visit (PIR sensors run 1-2 years on a CR123A). */
const LOW_BATTERY = 20

export function devicesApi (app: FastifyInstance, { deps, access }: ConsoleApi): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const tags = ['console: devices']
  const admin = deps.deviceAdmin

  const mqttUrl = (req: FastifyRequest): string => {
    const publicUrl = deps.config.notify.publicUrl
    const host = publicUrl !== undefined ? new URL(publicUrl).hostname : req.hostname.replace(/:\d+$/, '')
    const m = deps.config.mqtt
    return mqttUrlFor(host, { port: m.port, tlsPort: m.tlsPort, tls: m.tlsCert !== undefined && m.tlsKey !== undefined })
  }
  const provisioned = async (req: FastifyRequest, c: DeviceCredentials): Promise<z.infer<typeof deviceProvisioned>> => {
    const provisioning = provisioningString({ id: c.id, secret: c.secret, mqttUrl: mqttUrl(req), kind: c.kind })
    // Medium error correction: a label that gets scuffed on a farmhouse wall still scans.
    const qrSvg = await QRCode.toString(provisioning, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    return { ...c, provisioning, qrSvg }
  }
  /** The device, if its home is one the caller manages; 404 otherwise (ids are not probed). */
  const managed = (p: Principal, id: string): Device => {
    const d = admin.get(id)
    if (d === undefined || !access.canSeeHome(p, d.homeId)) throw new AnjuError('NOT_FOUND')
    const home = deps.places.getHome(d.homeId)
    access.assertManageVillage(p, home?.villageId ?? '')
    return d
  }

  r.post('/homes/:id/devices', {
    schema: { tags, params: idParam, body: deviceRegister, response: { 201: deviceProvisioned }, description: 'Register a sensor or hub. The secret and its QR label are in this response only. Audited (without the secret).' }
  }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    access.assertHome(p, req.params.id)
    access.assertManageVillage(p, deps.places.getHome(req.params.id)?.villageId ?? '')
    const creds = admin.register(req.body.kind, { homeId: req.params.id, id: req.body.id, room: req.body.room })
    access.audit(p, 'register', 'device', creds.id, { homeId: creds.homeId, kind: creds.kind })
    return reply.code(201).send(await provisioned(req, creds))
  })

  r.get('/devices', {
    schema: { tags, querystring: placeQuery.extend({ homeId: entityId.optional() }), response: { 200: deviceHealthList }, description: 'Devices of the homes in scope with live health, and counts for the overview.' }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk', 'grid_worker')
    const homes = within(deps.places.listHomes({ gridId: req.query.gridId, villageId: req.query.villageId }), access.homeIdsVisible(p), (h) => h.id)
      .filter((h) => req.query.homeId === undefined || h.id === req.query.homeId)
    const labels = new Map(homes.map((h) => [h.id, h.label]))
    // One query for every device, then the scope filter: cheaper than one query per home for a clerk.
    const list = (homes.length === 1 ? admin.list({ homeId: homes[0]?.id }) : admin.list({})).filter((d) => labels.has(d.homeId))
    const active = list.filter((d) => d.revokedAt === null)
    const summary = {
      total: active.length,
      online: active.filter((d) => d.online === true).length,
      offline: active.filter((d) => d.online === false).length,
      unknown: active.filter((d) => d.online === null).length,
      lowBattery: active.filter((d) => d.battery !== null && d.battery < LOW_BATTERY).length,
      revoked: list.length - active.length,
      dropped: active.reduce((n, d) => n + Object.values(d.dropped).reduce((a, b) => a + b, 0), 0)
    }
    return { summary, devices: list.map((d) => ({ ...d, homeLabel: labels.get(d.homeId) as string })) }
  })

  r.post('/devices/:id/revoke', { schema: { tags, params: idParam, response: { 200: device }, description: 'Refuses its next connect and cuts the open one. Audited.' } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const d = managed(p, req.params.id)
    admin.revoke(d.id)
    access.audit(p, 'revoke', 'device', d.id, { homeId: d.homeId })
    return admin.get(d.id) as Device
  })
  r.post('/devices/:id/rotate-secret', { schema: { tags, params: idParam, response: { 200: deviceProvisioned }, description: 'A new secret (and label), shown once; the old one stops working at once. Audited.' } }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const d = managed(p, req.params.id)
    const creds = admin.rotateSecret(d.id)
    access.audit(p, 'rotate_secret', 'device', d.id, { homeId: d.homeId })
    return provisioned(req, creds)
  })
}
