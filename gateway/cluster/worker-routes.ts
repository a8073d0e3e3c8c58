// A cluster worker's HTTP API: health, who owns which partition, the alerts (read from PostgreSQL, the
// same shapes as the embedded gateway's /api/v1/alerts), people's actions on them — routed to the
// partition owner through its stream and answered 202, since another worker applies them — and, when a
// token is configured, the external broker's auth backend (broker-auth-routes.ts); and the TV app with
// its API for screens (worker-tv.ts), as the embedded gateway serves them.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Alert } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import { AnjuError } from '../../src/errors.ts'
import { ackInput, alert, alertQuery, alertSettingsInput, alertWithEvents, awayInput, resolveInput } from '../../src/escalation/alert-schemas.ts'
import { entityId } from '../../src/registry-schemas.ts'
import type { Config } from '../config/config-schema.ts'
import { adminAuth } from '../http/admin-auth.ts'
import { createApiServer } from '../http/api-server.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { ackLinkRoutes, type AckLinkRouteDeps } from '../http/routes/ack-link-routes.ts'
import { tvAppRoutes } from '../tv/tv-app-routes.ts'
import { tvRoutes, type TvRouteDeps } from '../tv/tv-routes.ts'
import { brokerAuthRoutes } from './broker-auth-routes.ts'
import type { PartitionEvent } from './contracts.ts'
import type { PgAlertLog } from './pg/alert-log.ts'

export interface WorkerStatus {
  owned: number[]
  engines: number[]
  pendingBatches: number
  received: number
  routeFailures: number
  /** TV screens with an open event stream on this worker. */
  screens: number
}

export interface WorkerRouteDeps {
  config: Config
  log: Logger
  clock: Clock
  metrics: Metrics
  devices: DeviceStore
  alertLog: PgAlertLog
  /** The registry replica: a home must exist before a command for it is routed. */
  homeExists: (homeId: string) => boolean
  workerId: string
  status: () => WorkerStatus
  owners: () => Promise<Map<number, string>>
  route: (partition: number, event: PartitionEvent) => Promise<string>
  partitionOf: (homeId: string) => number
  /** The TV app's dependencies; without them the worker serves no screens. */
  tv?: TvRouteDeps
  /** Acknowledge links (/a/:token): the links in the notifications this worker's engines send. */
  ackLinks?: AckLinkRouteDeps
}

const idParam = z.object({ id: z.string().min(1).max(60) })
const accepted = z.object({ accepted: z.literal(true), alertId: z.string(), partition: z.number() })
const homeParam = z.object({ id: entityId })
const homeAccepted = z.object({ accepted: z.literal(true), homeId: z.string(), partition: z.number() })
const security = [{ admin: [] }]
const tags = ['cluster']

export async function createWorkerRoutes (deps: WorkerRouteDeps): Promise<FastifyInstance> {
  const app = createApiServer({ log: deps.log, trustProxy: deps.config.http.trustProxy })
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get('/healthz', async () => ({ status: 'ok', workerId: deps.workerId, ...deps.status() }))
  if (deps.config.brokerAuth.token !== undefined) await app.register(brokerAuthRoutes, { ...deps, prefix: '/broker' })
  // Outside the admin scope on purpose: the signed link is the only credential a family member has.
  if (deps.ackLinks !== undefined) await app.register(ackLinkRoutes, deps.ackLinks)
  if (deps.tv !== undefined) {
    // Screen tokens (or none, for public content), never the admin token.
    await app.register(tvAppRoutes)
    await app.register(tvRoutes, { ...deps.tv, prefix: '/tv/api' })
  }

  await app.register(async (admin) => {
    admin.addHook('onRequest', adminAuth(deps.config.adminToken ?? '', deps.clock))
    const a = admin.withTypeProvider<ZodTypeProvider>()

    a.get('/cluster/partitions', {
      schema: { tags, security, response: { 200: z.object({ partitions: z.number(), owners: z.record(z.string(), z.string()) }) } }
    }, async () => ({ partitions: deps.config.cluster.partitions, owners: Object.fromEntries([...await deps.owners()].map(([p, w]) => [String(p), w])) }))

    a.get('/alerts', { schema: { tags, security, querystring: alertQuery, response: { 200: z.array(alert) } } },
      async (req) => await deps.alertLog.list(req.query))

    a.get('/alerts/:id', { schema: { tags, security, params: idParam, response: { 200: alertWithEvents } } }, async (req) => {
      const found = await alertOrNotFound(req.params.id)
      return { ...found, events: await deps.alertLog.events(found.id) }
    })

    /** The alert as PostgreSQL has it; 404 when unknown. */
    async function alertOrNotFound (id: string): Promise<Alert> {
      const found = await deps.alertLog.get(id)
      if (found === undefined) throw new AnjuError('NOT_FOUND', `alert ${id} does not exist`)
      return found
    }

    /** Route a person's action to the owner of the alert's home; 409 when it is already resolved. */
    async function routeCommand (id: string, command: Extract<PartitionEvent, { type: 'command' }>['command']): Promise<z.infer<typeof accepted>> {
      const found = await alertOrNotFound(id)
      if (found.state === 'resolved') throw new AnjuError('CONFLICT', `alert ${id} is already resolved`)
      const partition = deps.partitionOf(found.homeId)
      await deps.route(partition, { type: 'command', command })
      return { accepted: true, alertId: id, partition }
    }

    a.post('/alerts/:id/ack', {
      schema: { tags, security, params: idParam, body: ackInput, response: { 202: accepted }, description: 'Routed to the worker that owns the home; applied there within moments.' }
    }, async (req, reply) => await reply.code(202).send(await routeCommand(req.params.id, { kind: 'ack', alertId: req.params.id, by: req.body.by })))

    a.post('/alerts/:id/resolve', {
      schema: { tags, security, params: idParam, body: resolveInput, response: { 202: accepted }, description: 'Routed to the worker that owns the home; applied there within moments.' }
    }, async (req, reply) => await reply.code(202).send(await routeCommand(req.params.id, {
      kind: 'resolve', alertId: req.params.id, by: req.body.by, outcome: req.body.outcome, note: req.body.note
    })))

    /** Route a home's settings change to the home's owner; 404 for a home the registry does not have. */
    async function routeHomeCommand (homeId: string, command: Extract<PartitionEvent, { type: 'command' }>['command']): Promise<z.infer<typeof homeAccepted>> {
      if (!deps.homeExists(homeId)) throw new AnjuError('NOT_FOUND', `home ${homeId} does not exist`)
      const partition = deps.partitionOf(homeId)
      await deps.route(partition, { type: 'command', command })
      return { accepted: true, homeId, partition }
    }

    a.post('/homes/:id/away', {
      schema: { tags, security, params: homeParam, body: awayInput, response: { 202: homeAccepted }, description: 'Away mode until `until` (unix ms); null ends it. Applied by the home\'s owner.' }
    }, async (req, reply) => await reply.code(202).send(await routeHomeCommand(req.params.id, { kind: 'away', homeId: req.params.id, until: req.body.until, by: req.body.by })))

    a.put('/homes/:id/alert-settings', {
      schema: { tags, security, params: homeParam, body: alertSettingsInput, response: { 202: homeAccepted }, description: 'Per-home threshold, quiet hours and ladder; audited. Applied by the home\'s owner.' }
    }, async (req, reply) => await reply.code(202).send(await routeHomeCommand(req.params.id, { kind: 'settings', homeId: req.params.id, input: req.body })))
  }, { prefix: '/api/v1' })
  return app
}
