// The TV app's API under /tv/api (contract: src/tv/tv-api.ts), authenticated by screen tokens, not the
// admin token: pairing, the state the screen shows, finance detail, the resident's "I'm fine" and away
// mode, and the event stream. Responses are validated against the contract's zod schemas.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { awayBody, pairStartResponse, pairStatusResponse, tvState, tvStatementDetail } from '../../src/tv/tv-api.ts'
import type { ContentService } from '../content/content-service.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { Household } from './household.ts'
import type { HouseholdAlerts } from './household-alerts.ts'
import { bearerToken, ScreenAuth } from './screen-auth.ts'
import type { ScreenStore } from './screen-store.ts'
import { AnjuError } from '../../src/errors.ts'
import { TvEvents, type SseSource } from './tv-events.ts'
import { tvStateOf } from './tv-state.ts'

export interface TvRouteDeps {
  content: ContentService
  screens: ScreenStore
  /** The home's alerts: the alert engine's, or in cluster mode PostgreSQL's and the owner's. */
  householdAlerts: HouseholdAlerts
  telemetry: TelemetryStore
  places: PlacesStore
  devices: DeviceStore
  /** Where a home's screen messages come from (NotifyService; PgSse in cluster mode). */
  sse: SseSource
  clock: Clock
  /** config.tv: which village a screen without a token shows. */
  tv: { defaultVillageId?: string }
}

/** Away mode is for a trip (to family in the city, hospital): at most this far ahead. */
export const MAX_AWAY_MS = 60 * 86_400_000
const eventId = z.string().regex(/^\d{1,15}$/)
const tags = ['tv']

/** The `t=` query parameter with its value replaced: what any later log line sees as the URL. */
export function redactTokenParam (url: string): string {
  return url.replace(/([?&]t=)[^&#]*/g, '$1[redacted]')
}

export async function tvRoutes (app: FastifyInstance, deps: TvRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const auth = new ScreenAuth(deps.screens, deps.places, deps.tv.defaultVillageId)
  const household = new Household({ ...deps, alerts: deps.householdAlerts })
  const events = new TvEvents({ ...deps, household })
  events.start()
  // Open streams would keep server.close() waiting for ever; end them first.
  app.addHook('preClose', (done) => { events.closeAll(); done() })
  app.addHook('onClose', (_app, done) => { events.stop(); done() })
  // Household data and one-time tokens: nothing here may be cached by a box, a proxy or a browser.
  app.addHook('onSend', async (_req, reply, payload) => { reply.header('cache-control', 'no-store'); return payload })

  r.post('/pair/start', {
    schema: { tags, description: 'A new six-digit pairing code for this screen (10 minutes); 429 when asked too often from one address.', response: { 200: pairStartResponse } }
  }, async (req) => deps.screens.pairings.start(req.ip))

  r.get('/pair/:pairingId', {
    schema: {
      tags,
      description: 'The screen polls its pairing: `waiting`, `paired` (with its token the first time only) or `expired` (show a new code).',
      params: z.object({ pairingId: z.string().min(1).max(100) }),
      response: { 200: pairStatusResponse }
    }
  }, async (req) => deps.screens.pairings.status(req.params.pairingId))

  r.get('/state', {
    schema: {
      tags,
      description: 'Everything the screen shows. Without a token: the default village\'s public content. 401 SCREEN_REVOKED / SCREEN_UNAUTHORIZED: pair again.',
      response: { 200: tvState }
    }
  }, async (req) => tvStateOf(auth.scope(bearerToken(req)), { content: deps.content, household, clock: deps.clock }))

  r.get('/finance/:id', {
    schema: {
      tags,
      description: 'One published finance statement of the screen\'s village with one page of entries.',
      params: z.object({ id: z.string().min(1).max(60) }),
      querystring: z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) }),
      response: { 200: tvStatementDetail }
    }
  }, async (req) => {
    const scope = auth.scope(bearerToken(req))
    return deps.content.statementDetail(scope.villageId, req.params.id, req.query.page)
  })

  r.post('/checkin', {
    schema: {
      tags,
      description: 'The resident pressed OK: resolves the home\'s open inactivity / not-up alerts. Household screens only (403 otherwise).',
      response: { 200: z.object({ resolved: z.number().int().min(0) }) }
    }
  }, async (req) => {
    const scope = auth.household(bearerToken(req))
    const resolved = await deps.householdAlerts.checkIn(scope.homeId)
    req.log.info({ homeId: scope.homeId, screenId: scope.screen.id, resolved }, 'TV check-in')
    return { resolved }
  })

  r.post('/away', {
    schema: {
      tags,
      description: 'Away mode until `until` (unix ms, at most 60 days ahead); null: back home. Household screens only.',
      body: awayBody,
      response: { 200: z.object({ awayUntil: z.number().int().nullable() }) }
    }
  }, async (req) => {
    const scope = auth.household(bearerToken(req))
    const { until } = req.body
    if (until !== null && until > deps.clock.now() + MAX_AWAY_MS) throw new AnjuError('INVALID_INPUT', 'away mode lasts at most 60 days')
    return { awayUntil: await deps.householdAlerts.setAway(scope.homeId, until, `tv:${scope.screen.id}`) }
  })

  r.get('/events', {
    schema: {
      tags,
      description: 'text/event-stream (see src/tv/tv-api.ts): `checkin`, `checkin_end`, `broadcast`, `broadcast_end`, `state`; ' +
        'the screen token in `?t=` (EventSource cannot set headers); Last-Event-ID replays missed household events.',
      querystring: z.object({ t: z.string().max(200).optional(), lastEventId: eventId.optional() }),
      headers: z.object({ 'last-event-id': eventId.optional() })
    },
    // Before anything can log the URL: the token must not reach a log line.
    onRequest: (req, _reply, done) => {
      if (req.raw.url?.includes('t=') === true) req.raw.url = redactTokenParam(req.raw.url)
      done()
    }
  }, async (req, reply) => {
    const scope = auth.scope(req.query.t ?? bearerToken(req))
    const last = req.headers['last-event-id'] ?? req.query.lastEventId
    reply.hijack()
    try {
      events.connect(scope, reply.raw, last === undefined ? null : Number(last))
    } catch (err) {
      // Headers may be out already: drop the connection; the screen reconnects after `retry`.
      req.log.error({ err, screenId: scope.screen?.id ?? null }, 'TV event stream failed to start')
      reply.raw.destroy()
    }
  })
}
