// The HTTP side of the gateway (fastify): health, metrics, OpenAPI docs and the admin API. Every route
// declares zod schemas that validate input and shape output; errors come from one catalogue and 5xx
// details never reach a client.
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import { createApiServer } from './api-server.ts'
import type { Logger } from '../logger.ts'
import { adminAuth } from './admin-auth.ts'
import { deviceRoutes, type DeviceRouteDeps } from './routes/device-routes.ts'
import { healthRoutes, type HealthDeps } from './routes/health-routes.ts'
import { placesRoutes } from './routes/places-routes.ts'
import { alertRoutes } from './routes/alert-routes.ts'
import type { AlertEngine } from '../alerts/alert-engine.ts'
import type { NotifyService } from '../notify/notify-service.ts'
import { contactChannelRoutes } from './routes/contact-channel-routes.ts'
import { sseRoutes } from './routes/sse-routes.ts'
import { ackLinkRoutes, type AckLinkRouteDeps } from './routes/ack-link-routes.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { contentRoutes } from './routes/content-routes.ts'
import { screenRoutes } from './routes/screen-routes.ts'
import { tvRoutes, type TvRouteDeps } from '../tv/tv-routes.ts'
import { tvAppRoutes } from '../tv/tv-app-routes.ts'
import type { AlertDesk } from '../alerts/alert-desk.ts'
import type { Db } from '../db/open-database.ts'
import type { Config } from '../config/config-schema.ts'
import { installConsoleAuth } from '../console/auth/console-auth.ts'
import { consoleRoutes } from '../console/console-routes.ts'
import { consoleAppRoutes } from '../console/console-app-routes.ts'
import type { MediaStore } from '../content/media-store.ts'
import { mediaAdminRoutes, mediaRoutes } from './routes/media-routes.ts'
import { brokerAuthRoutes } from '../cluster/broker-auth-routes.ts'

export type HttpDeps = HealthDeps & DeviceRouteDeps & Omit<TvRouteDeps, 'householdAlerts' | 'sse'> & { db: Db, config: Config, places: PlacesStore, telemetry: TelemetryStore, alerts: AlertEngine, notify: NotifyService, /** People's actions on alerts (engineAlertDesk; cluster mode: ClusterAlertDesk). */ desk: AlertDesk, adminToken: string, log: Logger, ackLinks: AckLinkRouteDeps['ackLinks'], clock: AckLinkRouteDeps['clock'], media: MediaStore }

export async function createHttpServer (deps: HttpDeps): Promise<FastifyInstance> {
  const app = createApiServer({ log: deps.log, trustProxy: deps.config.http.trustProxy })
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Anju gateway API', version: '1', description: 'Registry and device administration of an Anju (安居) gateway.' },
      components: { securitySchemes: { admin: { type: 'http', scheme: 'bearer' }, brokerAuth: { type: 'http', scheme: 'bearer' } } }
    },
    transform: jsonSchemaTransform
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })

  await app.register(healthRoutes, deps)
  // The external broker's auth backend (cluster mode): its own token, never the admin token; no routes
  // at all unless config.brokerAuth.token is set.
  if (deps.config.brokerAuth.token !== undefined) await app.register(brokerAuthRoutes, { ...deps, prefix: '/broker' })
  // Outside the admin scope on purpose: the signed link is the only credential a family member has.
  await app.register(ackLinkRoutes, deps)
  // The TV app and its API: screen tokens (or none, for public content), never the admin token.
  await app.register(tvAppRoutes)
  await app.register(tvRoutes, { ...deps, householdAlerts: deps.desk.household, sse: deps.notify, prefix: '/tv/api' })
  // Notice images, public like the TV's content: the screens show them without a login.
  await app.register(mediaRoutes, deps)
  // The console: its own accounts and cookie sessions (gateway/console/auth), never the admin token.
  await app.register(consoleAppRoutes)
  await app.register(async (consoleApi) => {
    await installConsoleAuth(consoleApi, deps)
    await consoleApi.register(consoleRoutes, deps)
  }, { prefix: '/console/api' })
  await app.register(async (admin) => {
    admin.addHook('onRequest', adminAuth(deps.adminToken, deps.clock))
    await admin.register(placesRoutes, deps)
    await admin.register(deviceRoutes, deps)
    await admin.register(alertRoutes, deps)
    await admin.register(sseRoutes, deps)
    await admin.register(contactChannelRoutes, { contactChannels: deps.notify.contactChannels })
    await admin.register(contentRoutes, deps)
    await admin.register(mediaAdminRoutes, deps)
    await admin.register(screenRoutes, deps)
  }, { prefix: '/api/v1' })
  return app
}
