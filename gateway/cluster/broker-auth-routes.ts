// The HTTP authentication and ACL backend an external broker calls for device connects, publishes and
// subscriptions (cluster mode, docs/broker-auth.md): EMQX 5's HTTP authenticator and authorizer, and
// mosquitto-go-auth's HTTP backend (params_mode json, response_mode status). Registered only when
// config.brokerAuth.token is set; every request must carry that token. Passwords are never logged.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Clock } from '../../src/clock.ts'
import type { Config } from '../config/config-schema.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { BrokerAuth, type AuthnDecision, type AuthzDecision, type BrokerAction } from './broker-auth.ts'

export interface BrokerAuthRouteDeps {
  config: Config
  devices: DeviceStore
  clock: Clock
  metrics: Metrics
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/**
 * The token as the broker sends it: `Authorization: Bearer <token>` (EMQX's request headers), or HTTP
 * Basic with the token as password, because mosquitto-go-auth's HTTP backend cannot set headers: Go's
 * HTTP client sends the user info of its URL (`auth_opt_http_host anju:<token>@host`) as Basic.
 */
function presentedToken (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  if (header.startsWith('Bearer ')) return header.slice(7)
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon < 0 ? undefined : decoded.slice(colon + 1)
  }
  return undefined
}

/** Constant-time on the digests, so response timing tells nothing about the token. */
function brokerToken (token: string) {
  const expected = digest(token)
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = presentedToken(req.headers.authorization)
    if (given === undefined || given === '' || !timingSafeEqual(digest(given), expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'missing or wrong broker auth token' })
    }
  }
}

// MQTT strings are at most 65,535 bytes ([MQTT-1.5.3]); brokers render an absent field as "".
const mqttString = z.string().max(65_535)
const emqxAuthnBody = z.object({ clientid: mqttString, username: mqttString, password: mqttString, peerhost: z.string().max(64).optional() })
const emqxAuthzBody = z.object({ clientid: mqttString, username: mqttString, topic: mqttString, action: z.enum(['publish', 'subscribe']) })
const emqxResult = z.enum(['allow', 'deny'])
const goAuthUserBody = z.object({ username: mqttString, password: mqttString, clientid: mqttString })
const goAuthSuperuserBody = z.object({ username: mqttString })
/** Mosquitto's access bits: 1 read (a delivery to the client), 2 write (publish), 3 both, 4 subscribe. */
const goAuthAclBody = z.object({ username: mqttString, clientid: mqttString, topic: mqttString, acc: z.literal([1, 2, 3, 4]) })
/** go-auth's status mode reads only the status; the body also fits its json mode (`Ok`, `Error`). */
const goAuthAnswer = z.object({ ok: z.boolean(), error: z.string().optional() })
const unauthorized = z.object({ error: z.string(), message: z.string() })

const security = [{ brokerAuth: [] }]
const tags = ['broker-auth']

export async function brokerAuthRoutes (app: FastifyInstance, deps: BrokerAuthRouteDeps): Promise<void> {
  const token = deps.config.brokerAuth.token
  if (token === undefined) return
  const { mqtt, cluster } = deps.config
  const auth = new BrokerAuth({
    devices: deps.devices,
    clock: deps.clock,
    limits: { windowMs: mqtt.authFailureWindowMs, perDevice: mqtt.authFailuresPerDevice, perAddress: mqtt.authFailuresPerAddress },
    worker: { username: cluster.brokerUsername, password: cluster.brokerPassword }
  })
  const count = (check: string, d: { allow: boolean, reason: string }): void => {
    deps.metrics.brokerAuthDecisions.inc({ check, result: d.allow ? 'allow' : 'deny', reason: d.reason })
  }
  const authn = (check: string, login: Parameters<BrokerAuth['authenticate']>[0]): AuthnDecision => {
    const d = auth.authenticate(login)
    count(check, d)
    return d
  }
  const authz = (check: string, request: Parameters<BrokerAuth['authorize']>[0]): AuthzDecision => {
    const d = auth.authorize(request)
    count(check, d)
    if (!d.allow) app.log.debug({ check, deviceId: request.username, action: request.action, reason: d.reason, topicLevels: request.topic.split('/').length }, 'broker ACL refused')
    return d
  }
  const goAuth = (reply: FastifyReply, d: { allow: boolean, reason: string }) =>
    d.allow ? reply.code(200).send({ ok: true }) : reply.code(403).send({ ok: false, error: d.reason })

  app.addHook('onRequest', brokerToken(token))
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post('/emqx/authn', {
    schema: { tags, security, description: 'EMQX 5 HTTP authentication: a device (clientid = username = device id, password = secret) or the workers\' account (superuser).', body: emqxAuthnBody, response: { 200: z.object({ result: emqxResult, is_superuser: z.boolean() }), 401: unauthorized } }
  }, async (req) => {
    const { clientid, username, password, peerhost } = req.body
    const d = authn('emqx_authn', { clientId: clientid, username, password, peer: peerhost })
    return { result: d.allow ? 'allow' as const : 'deny' as const, is_superuser: d.superuser }
  })

  r.post('/emqx/authz', {
    schema: { tags, security, description: 'EMQX 5 HTTP authorization: a publish or subscribe under the device protocol ACL.', body: emqxAuthzBody, response: { 200: z.object({ result: emqxResult }), 401: unauthorized } }
  }, async (req) => {
    const { clientid, username, topic, action } = req.body
    const d = authz('emqx_authz', { clientId: clientid, username, topic, action })
    return { result: d.allow ? 'allow' as const : 'deny' as const }
  })

  r.post('/go-auth/user', {
    schema: { tags, security, description: 'mosquitto-go-auth user check: 200 allow, 403 deny.', body: goAuthUserBody, response: { 200: goAuthAnswer, 401: unauthorized, 403: goAuthAnswer } }
  }, async (req, reply) => {
    const { username, password, clientid } = req.body
    // go-auth does not pass the client's address: no guessing limit (docs/broker-auth.md).
    return goAuth(reply, authn('go_auth_user', { clientId: clientid, username, password, peer: undefined }))
  })

  r.post('/go-auth/superuser', {
    schema: { tags, security, description: 'mosquitto-go-auth superuser check: 200 only for the workers\' account.', body: goAuthSuperuserBody, response: { 200: goAuthAnswer, 401: unauthorized, 403: goAuthAnswer } }
  }, async (req, reply) => {
    // Asked only for a username the user check has already authenticated.
    const worker = auth.isWorker(req.body.username)
    const d = { allow: worker, reason: worker ? 'worker' : 'not_superuser' }
    count('go_auth_superuser', d)
    return goAuth(reply, d)
  })

  r.post('/go-auth/acl', {
    schema: { tags, security, description: 'mosquitto-go-auth ACL check (acc 1 read, 2 write, 3 both, 4 subscribe): 200 allow, 403 deny.', body: goAuthAclBody, response: { 200: goAuthAnswer, 401: unauthorized, 403: goAuthAnswer } }
  }, async (req, reply) => {
    const { username, clientid, topic, acc } = req.body
    const actions: BrokerAction[] = acc === 1 ? ['read'] : acc === 2 ? ['publish'] : acc === 3 ? ['read', 'publish'] : ['subscribe']
    let d: AuthzDecision = { allow: false, reason: 'acl' }
    for (const action of actions) {
      d = auth.authorize({ clientId: clientid, username, topic, action })
      if (!d.allow) break
    }
    count('go_auth_acl', d)
    if (!d.allow) app.log.debug({ check: 'go_auth_acl', deviceId: username, acc, reason: d.reason, topicLevels: topic.split('/').length }, 'broker ACL refused')
    return goAuth(reply, d)
  })
}
