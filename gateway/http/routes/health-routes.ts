// Liveness, readiness and Prometheus metrics: unauthenticated, aggregate only (no ids, no names).
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Metrics } from '../../metrics/metrics.ts'

export interface HealthDeps {
  metrics: Metrics
  /** Refresh gauges computed at scrape time (registered and online devices). */
  refreshGauges: () => void
  /** True once the broker listens and the database answers. */
  isReady: () => boolean
}

export async function healthRoutes (app: FastifyInstance, deps: HealthDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const status = z.object({ status: z.string() })
  r.get('/healthz', { schema: { tags: ['health'], response: { 200: status } } }, async () => ({ status: 'ok' }))
  r.get('/readyz', { schema: { tags: ['health'], response: { 200: status, 503: status } } }, async (_req, reply) => {
    return deps.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'starting' })
  })
  r.get('/metrics', { schema: { tags: ['health'], hide: true } }, async (_req, reply) => {
    deps.refreshGauges()
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics())
  })
}
