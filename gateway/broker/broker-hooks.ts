// The aedes hooks that make the embedded broker a device gateway: authenticate (device identity),
// authorizePublish (ACL, rate limit, size, ingest), authorizeSubscribe (ACL). Hooks never throw into
// aedes; refusals go back through the callback.
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, PublishPacket } from 'aedes'
import { mayPublish, maySubscribe, type DeviceIdentity } from '../../src/acl.ts'
import type { Clock } from '../../src/clock.ts'
import type { ParsedTopic } from '../../src/topics.ts'
import { TokenBucket } from '../../src/token-bucket.ts'
import { WindowCounter } from '../../src/window-counter.ts'
import type { Config } from '../config/config-schema.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { verifySecret } from '../registry/secrets.ts'

interface Connection {
  who: DeviceIdentity
  /** The per-device token bucket, from the first publish. */
  bucket: TokenBucket | undefined
  /**
   * The ACL's answer for each topic this connection published to: a sensor uses two topics for life, so
   * parsing and checking them again for every message is waste (measured ~2 % of the gateway's CPU at
   * 10,000 devices x 1 msg/s). Bounded: a hub inventing names cannot grow it past TOPIC_CACHE_MAX.
   */
  topics: Map<string, ParsedTopic | null>
}

/** Topics whose ACL answer is remembered per connection (a hub has up to maxSensorsPerHub names, ~3 topics each). */
const TOPIC_CACHE_MAX = 256

type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>
type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>

// CONNACK return codes, MQTT 3.1.1 table 3.1.
const IDENTIFIER_REJECTED = 2
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4
const NOT_AUTHORIZED = 5

export interface HookDeps {
  config: Config['mqtt']
  devices: DeviceStore
  ingest: Ingest
  metrics: Metrics
  clock: Clock
  log: Logger
}

/** The peer address of a TCP/TLS client, or of the HTTP request a WebSocket client came in on. */
function sourceAddress (client: Client): string {
  const c = client as Client & { conn?: { remoteAddress?: string }, req?: { socket?: { remoteAddress?: string } } }
  return c.conn?.remoteAddress ?? c.req?.socket?.remoteAddress ?? 'unknown'
}

export type LoginRefusal = 'missing_credentials' | 'client_id_mismatch' | 'auth_rate_limited' | 'unknown_device' | 'bad_secret' | 'revoked'

const CONNACK_FOR: Record<LoginRefusal, number> = {
  missing_credentials: BAD_USERNAME_OR_PASSWORD,
  client_id_mismatch: IDENTIFIER_REJECTED,
  auth_rate_limited: SERVER_UNAVAILABLE,
  unknown_device: BAD_USERNAME_OR_PASSWORD,
  bad_secret: BAD_USERNAME_OR_PASSWORD,
  revoked: NOT_AUTHORIZED
}

export interface LoginLimits { windowMs: number, perDevice: number, perAddress: number }

/**
 * Secret guessing: failed logins per source address and per address + device id in a window
 * (config.mqtt.authFailure*). Shared by the embedded broker and the external brokers' HTTP backend
 * (gateway/cluster/broker-auth.ts), so both lock out alike.
 */
export class LoginGuard {
  private readonly failures: WindowCounter
  constructor (private readonly limits: LoginLimits) {
    this.failures = new WindowCounter(limits.windowMs)
  }

  /** True while the address, or this id from it, is over its limit. */
  locked (address: string, username: string, now: number): boolean {
    return this.failures.waitMs(address, this.limits.perAddress, now) > 0 || this.failures.waitMs(address + '\n' + username, this.limits.perDevice, now) > 0
  }

  failed (address: string, username: string, now: number): void {
    this.failures.add(address, now)
    this.failures.add(address + '\n' + username, now)
  }
}

export interface DeviceLoginAttempt {
  clientId: string
  username: string | undefined
  password: string | Buffer | undefined
  /** The client's address; undefined where the broker does not say (mosquitto-go-auth), and then not limited. */
  address: string | undefined
}

/** A device's MQTT login (device protocol v1): the checks and their order, whichever broker asks. */
export function checkDeviceLogin (devices: DeviceStore, guard: LoginGuard, attempt: DeviceLoginAttempt, now: number): { ok: true, who: DeviceIdentity } | { ok: false, reason: LoginRefusal } {
  const { username, password, address } = attempt
  // No anonymous devices; clientId = username = device id (device protocol v1).
  if (username === undefined || password === undefined) return { ok: false, reason: 'missing_credentials' }
  if (attempt.clientId !== username) return { ok: false, reason: 'client_id_mismatch' }
  // Locked out: answered without looking at the secret, so guesses teach nothing; not counted again,
  // so the lock ends with its window.
  if (address !== undefined && guard.locked(address, username, now)) return { ok: false, reason: 'auth_rate_limited' }
  const failed = (reason: LoginRefusal): { ok: false, reason: LoginRefusal } => {
    if (address !== undefined) guard.failed(address, username, now)
    return { ok: false, reason }
  }
  const record = devices.authLookup(username)
  // Unknown id and wrong secret answer the same, so the broker does not confirm which ids exist.
  if (record === undefined || record.secretHash === null || record.kind === 'hub-sensor') return failed('unknown_device')
  if (!verifySecret(password, record.secretHash)) return failed('bad_secret')
  if (record.revokedAt !== null) return { ok: false, reason: 'revoked' }
  return { ok: true, who: { id: record.id, kind: record.kind, homeId: record.homeId } }
}

export function createBrokerHooks (deps: HookDeps) {
  const { config, devices, ingest, metrics, clock, log } = deps
  /** What the hooks keep per authenticated connection; one lookup per publish. */
  const connections = new WeakMap<Client, Connection>()
  /** Device id → time until which a flooder's reconnects are refused. */
  const cooldowns = new Map<string, number>()
  const guard = new LoginGuard({ windowMs: config.authFailureWindowMs, perDevice: config.authFailuresPerDevice, perAddress: config.authFailuresPerAddress })

  function refuse (callback: (err: AuthenticateError | null, ok: boolean | null) => void, returnCode: number, reason: string): void {
    metrics.authFailures.inc({ reason })
    const err = new Error(reason) as AuthenticateError
    err.returnCode = returnCode
    callback(err, false)
  }

  const authenticate = (client: Client, username: string | undefined, password: Buffer | undefined, callback: (err: AuthenticateError | null, ok: boolean | null) => void): void => {
    const login = checkDeviceLogin(devices, guard, { clientId: client.id, username, password, address: sourceAddress(client) }, clock.now())
    if (!login.ok) return refuse(callback, CONNACK_FOR[login.reason], login.reason)
    const who = login.who
    const until = cooldowns.get(who.id)
    if (until !== undefined) {
      if (clock.now() < until) return refuse(callback, SERVER_UNAVAILABLE, 'flood_cooldown')
      cooldowns.delete(who.id)
    }
    connections.set(client, { who, bucket: undefined, topics: new Map() })
    callback(null, true)
  }

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const receivedAt = clock.now()
    const connection = client === null ? undefined : connections.get(client)
    // Obsolete wills of clients from an earlier process have no identity here: refuse by default.
    if (client === null || connection === undefined) return callback(new Error('not authorized'))
    const who = connection.who
    const parsed = mayPublishCached(connection, packet.topic)
    if (parsed === null) {
      metrics.aclRefusals.inc({ action: 'publish' })
      log.warn({ deviceId: who.id, topicLevels: packet.topic.split('/').length }, 'publish refused by ACL')
      // [MQTT-3.3.5-2] MQTT 3.1.1 has no negative PUBACK: the server closes the connection.
      return callback(new Error('publish not authorized'))
    }
    // The last will is published once, by the broker, as the client goes: never rate-limited.
    const isWill = (client as Client & { will?: PublishPacket | null }).will === packet
    let waitMs = 0
    if (!isWill) {
      connection.bucket ??= new TokenBucket(config.ratePerSecond, config.rateBurst, receivedAt)
      waitMs = connection.bucket.take(receivedAt, config.maxDelayMs)
      if (waitMs < 0) {
        metrics.floodDisconnects.inc()
        ingest.drop(who.id, 'rate_limited')
        cooldowns.set(who.id, receivedAt + config.floodCooldownMs)
        return callback(new Error('rate limit exceeded'))
      }
    }
    // Holding the callback holds aedes' parser: the client's socket is read more slowly (backpressure).
    // A function with arguments rather than a closure per message (the closure, and tsx's name helper on
    // it, cost ~2 % of the CPU at 10,000 devices x 1 msg/s).
    if (waitMs > 0) setTimeout(admit, waitMs, who, parsed, packet, receivedAt, callback)
    else admit(who, parsed, packet, receivedAt, callback)
  }

  function admit (who: DeviceIdentity, parsed: ParsedTopic, packet: PublishPacket, receivedAt: number, callback: (err?: Error | null) => void): void {
    // Uplinks are read by the gateway alone; retaining them would only cost memory per device.
    packet.retain = false
    if (packet.payload.length > config.maxPayloadBytes) {
      ingest.drop(who.id, 'oversize')
      packet.payload = Buffer.alloc(0)
      return callback(null)
    }
    try {
      ingest.handle(who, parsed, packet.payload as Buffer, receivedAt)
    } catch (err) {
      log.error({ err, deviceId: who.id }, 'ingest failed')
    }
    callback(null)
  }

  function mayPublishCached (connection: Connection, topic: string): ParsedTopic | null {
    let parsed = connection.topics.get(topic)
    if (parsed === undefined) {
      parsed = mayPublish(connection.who, topic)
      if (connection.topics.size < TOPIC_CACHE_MAX) connection.topics.set(topic, parsed)
    }
    return parsed
  }

  const authorizeSubscribe: AuthorizeSubscribeHandler = (client, sub, callback) => {
    const who = client === null ? undefined : connections.get(client)?.who
    if (who !== undefined && maySubscribe(who, sub.topic)) return callback(null, sub)
    metrics.aclRefusals.inc({ action: 'subscribe' })
    log.warn({ deviceId: who?.id ?? null }, 'subscription refused by ACL')
    // A null subscription is answered with SUBACK 0x80 (failure), [MQTT-3.9.3].
    callback(null, null)
  }

  /**
   * Only the gateway's own messages (retained config downlinks, published with no client) are delivered
   * to devices. Device uplinks are read by the gateway in authorizePublish and go to no MQTT client, not
   * even a hub subscribed to its own prefix: one device can never reach another, and a flood can never
   * stall deliveries inside the broker.
   */
  const authorizeForward = (_client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
    // aedes stamps the publisher's id on the packet it routes (emitPacket); the types omit the field.
    const from = (packet as AedesPublishPacket & { clientId?: string | null }).clientId
    return from === undefined || from === null ? packet : null
  }

  return { authenticate, authorizePublish, authorizeSubscribe, authorizeForward, identityOf: (client: Client) => connections.get(client)?.who }
}
