// The aedes hooks that make the embedded broker a device gateway: authenticate (device identity),
// authorizePublish (ACL, rate limit, size, ingest), authorizeSubscribe (ACL). Hooks never throw into
// aedes; refusals go back through the callback.
import type { AedesOptions, AedesPublishPacket, AuthenticateError, Client, PublishPacket } from 'aedes'
import { mayPublish, maySubscribe, type DeviceIdentity } from '../../src/acl.ts'
import type { Clock } from '../../src/clock.ts'
import { TokenBucket } from '../../src/token-bucket.ts'
import { WindowCounter } from '../../src/window-counter.ts'
import type { Config } from '../config/config-schema.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/metrics.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import { verifySecret } from '../registry/secrets.ts'

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

export function createBrokerHooks (deps: HookDeps) {
  const { config, devices, ingest, metrics, clock, log } = deps
  const identities = new WeakMap<Client, DeviceIdentity>()
  const buckets = new WeakMap<Client, TokenBucket>()
  /** Device id → time until which a flooder's reconnects are refused. */
  const cooldowns = new Map<string, number>()
  /** Failed connects per source address and per address + device id (secret guessing). */
  const failures = new WindowCounter(config.authFailureWindowMs)

  function refuse (callback: (err: AuthenticateError | null, ok: boolean | null) => void, returnCode: number, reason: string): void {
    metrics.authFailures.inc({ reason })
    const err = new Error(reason) as AuthenticateError
    err.returnCode = returnCode
    callback(err, false)
  }

  const authenticate = (client: Client, username: string | undefined, password: Buffer | undefined, callback: (err: AuthenticateError | null, ok: boolean | null) => void): void => {
    // No anonymous devices; clientId = username = device id (device protocol v1).
    if (username === undefined || password === undefined) return refuse(callback, BAD_USERNAME_OR_PASSWORD, 'missing_credentials')
    if (client.id !== username) return refuse(callback, IDENTIFIER_REJECTED, 'client_id_mismatch')
    const now = clock.now()
    const address = sourceAddress(client)
    const pair = address + '\n' + username
    // Locked out: answered without looking at the secret, so guesses teach nothing; not counted again,
    // so the lock ends with its window.
    if (failures.waitMs(address, config.authFailuresPerAddress, now) > 0 || failures.waitMs(pair, config.authFailuresPerDevice, now) > 0) {
      return refuse(callback, SERVER_UNAVAILABLE, 'auth_rate_limited')
    }
    const failed = (code: number, reason: string): void => {
      failures.add(address, now)
      failures.add(pair, now)
      refuse(callback, code, reason)
    }
    const record = devices.authLookup(username)
    // Unknown id and wrong secret answer the same, so the broker does not confirm which ids exist.
    if (record === undefined || record.secretHash === null || record.kind === 'hub-sensor') return failed(BAD_USERNAME_OR_PASSWORD, 'unknown_device')
    if (!verifySecret(password, record.secretHash)) return failed(BAD_USERNAME_OR_PASSWORD, 'bad_secret')
    if (record.revokedAt !== null) return refuse(callback, NOT_AUTHORIZED, 'revoked')
    const until = cooldowns.get(record.id)
    if (until !== undefined) {
      if (clock.now() < until) return refuse(callback, SERVER_UNAVAILABLE, 'flood_cooldown')
      cooldowns.delete(record.id)
    }
    identities.set(client, { id: record.id, kind: record.kind, homeId: record.homeId })
    callback(null, true)
  }

  const authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    const receivedAt = clock.now()
    const who = client === null ? undefined : identities.get(client)
    // Obsolete wills of clients from an earlier process have no identity here: refuse by default.
    if (client === null || who === undefined) return callback(new Error('not authorized'))
    const parsed = mayPublish(who, packet.topic)
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
      let bucket = buckets.get(client)
      if (bucket === undefined) {
        bucket = new TokenBucket(config.ratePerSecond, config.rateBurst, receivedAt)
        buckets.set(client, bucket)
      }
      waitMs = bucket.take(receivedAt, config.maxDelayMs)
      if (waitMs < 0) {
        metrics.floodDisconnects.inc()
        ingest.drop(who.id, 'rate_limited')
        cooldowns.set(who.id, receivedAt + config.floodCooldownMs)
        return callback(new Error('rate limit exceeded'))
      }
    }
    const admit = (): void => {
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
    // Holding the callback holds aedes' parser: the client's socket is read more slowly (backpressure).
    if (waitMs > 0) setTimeout(admit, waitMs)
    else admit()
  }

  const authorizeSubscribe: AuthorizeSubscribeHandler = (client, sub, callback) => {
    const who = client === null ? undefined : identities.get(client)
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

  return { authenticate, authorizePublish, authorizeSubscribe, authorizeForward, identityOf: (client: Client) => identities.get(client) }
}
