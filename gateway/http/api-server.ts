// A fastify instance set up the way every Anju HTTP API is: zod validation and serialisation, JSON bodies
// that must be UTF-8, and one error catalogue where 5xx details never reach a client. The gateway's
// server (http-server.ts) and a cluster worker's (gateway/cluster/worker-routes.ts) both start from it.
import { isUtf8 } from 'node:buffer'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { AnjuError } from '../../src/errors.ts'
import type { Logger } from '../logger.ts'

export function createApiServer (options: { log: Logger, trustProxy?: string }): FastifyInstance {
  const trustProxy = options.trustProxy?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const app = Fastify({ trustProxy: trustProxy ?? false, loggerInstance: options.log.child({ part: 'http' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1_048_576,
    // Acknowledge-link tokens (gateway/alerts/ack-links.ts) run to ~150 characters; fastify's default is 100.
    routerOptions: { maxParamLength: 512 } })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // JSON must be UTF-8 (RFC 8259 §8.1). Fastify's default parser decodes invalid bytes to U+FFFD, so a
  // GBK-encoded body was stored as "���" with a 201; refuse it instead, then parse as fastify does
  // (its __proto__ / constructor poisoning checks included).
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    if (!isUtf8(body)) return done(Object.assign(new Error('the JSON body is not valid UTF-8'), { statusCode: 400, code: 'INVALID_ENCODING' }), undefined)
    parseJson(req, body.toString('utf8'), done)
  })

  app.setErrorHandler((err: Error & { statusCode?: number, code?: string }, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(400).send({
        error: 'INVALID_INPUT',
        message: 'invalid input',
        details: err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message }))
      })
    }
    if (err instanceof AnjuError) return reply.code(err.status).send({ error: err.code, message: err.message })
    const status = err.statusCode ?? 500
    if (status < 500) return reply.code(status).send({ error: err.code ?? 'BAD_REQUEST', message: err.message })
    req.log.error({ err, url: req.routeOptions.url }, 'request failed')
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' })
  })
  return app
}
