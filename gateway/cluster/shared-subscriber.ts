// Cluster mode (docs/cluster.md): one gateway worker's share of the devices' uplinks. Devices publish to an
// external broker; every worker subscribes to the same `$share/<group>/...` filters, and the broker hands
// each message to exactly one of them. The worker turns it into the same Ingest calls as the embedded
// broker's hooks (gateway/broker/broker-hooks.ts) do. The same connection is the worker's way out to the
// broker: MQTT push to apps (`publish` below).
//
// What the embedded broker does at the socket and this cannot: the per-device token bucket with its flood
// cooldown and the packet size guard act on a device's connection, which is the external broker's now. They
// must be set there (Mosquitto `message_size_limit`, `max_inflight_messages`/`max_queued_messages`; EMQX
// per-client rate limits), as docs/cluster.md lists. By the time a message reaches a worker it is too late
// to slow its sender down.
import mqtt, { type MqttClient } from 'mqtt'
import { mayPublish, type DeviceIdentity } from '../../src/acl.ts'
import type { Clock } from '../../src/clock.ts'
import { parseZ2mState } from '../../src/device-payloads.ts'
import { parseTopic, TOPIC_ROOT, type ParsedTopic } from '../../src/topics.ts'
import type { Ingest } from '../ingest/ingest.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'

export interface SharedSubscriberOptions {
  url: string
  username: string
  password: string
  /** `$share/<shareGroup>/...`: workers in one group split the messages between them. */
  shareGroup: string
  /**
   * Stable across restarts of this worker: with a persistent session (clean session false) the broker
   * keeps the QoS 1 messages it assigned to this worker while it was away and delivers them on return.
   * Mosquitto 2.0 goes on dealing the absent session its share (measured: half of them with two workers),
   * so a worker retired for good must end its session (`stop({ endSession: true })`) or its share waits
   * in the broker, up to `max_queued_messages`.
   */
  clientId: string
  /**
   * Keep the session across disconnects (clean session false). Right when a supervisor restarts workers
   * under the same id: nothing the broker assigned meanwhile is lost. Wrong for a worker that may never
   * come back (a dead machine): its share of every device's messages then waits in the broker. Default
   * false: a dead worker's in-flight window (Mosquitto's max_inflight_messages, 20) is lost and every
   * message after it goes to the live workers at once. The events lost that way are the ones a takeover
   * also misses; the next motion of the home corrects the alert engine.
   */
  persistentSession?: boolean
  devices: DeviceStore
  ingest: Ingest
  clock: Clock
  log: Logger
}

export const sharedFilters = (group: string): string[] => [
  `$share/${group}/${TOPIC_ROOT}/dev/+/motion`,
  `$share/${group}/${TOPIC_ROOT}/dev/+/status`,
  `$share/${group}/${TOPIC_ROOT}/hub/#`
]

/** A device's last will or its hub's bridge state saying it went away. */
function isOfflineNotice (topic: ParsedTopic, payload: Buffer): boolean {
  if (topic.kind === 'hub-bridge-state') return parseZ2mState(payload.toString('utf8')) === 'offline'
  if (topic.kind !== 'device' || topic.channel !== 'status') return false
  try {
    const body = JSON.parse(payload.toString('utf8')) as unknown
    return typeof body === 'object' && body !== null && (body as { online?: unknown }).online === false
  } catch {
    return false // Ingest counts the malformed payload
  }
}

export class SharedSubscriber {
  readonly counters = { received: 0, refused: 0 }
  private client: MqttClient | undefined
  /** Devices this worker has marked connected and not seen go offline since. */
  private readonly online = new Set<string>()

  constructor (private readonly options: SharedSubscriberOptions) {}

  async start (): Promise<void> {
    const { url, username, password, clientId, shareGroup, log } = this.options
    const client = mqtt.connect(url, {
      username,
      password,
      clientId,
      clean: this.options.persistentSession !== true,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000
    })
    this.client = client
    // Listen before CONNACK: a resumed session's queued messages follow it in the same read, before an
    // awaited connect would have returned (mqtt.js acknowledges them whether anyone listened or not).
    client.on('message', (topic, payload) => this.receive(topic, payload))
    client.on('offline', () => log.warn('shared subscriber: broker connection lost; reconnecting'))
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => {
        client.removeListener('connect', connected)
        client.end(true)
        this.client = undefined
        reject(new Error(`shared subscriber: cannot connect to ${url} as ${username}: ${err.message}`))
      }
      const connected = (): void => { client.removeListener('error', failed); resolve() }
      client.once('connect', connected)
      client.once('error', failed)
    })
    client.on('error', (err) => log.error({ err }, 'shared subscriber: broker connection error'))
    // A persistent session keeps the subscriptions; subscribing again is harmless and covers a broker that
    // lost its state (persistence off, or a new broker).
    const granted = await client.subscribeAsync(sharedFilters(shareGroup), { qos: 1 })
    const refused = granted.filter((g) => g.qos === 128)
    if (refused.length > 0) {
      await client.endAsync(true)
      this.client = undefined
      throw new Error(`shared subscriber: broker refused ${refused.map((g) => g.topic).join(', ')} for ${username} (worker ACL missing?)`)
    }
    log.info({ clientId, shareGroup }, 'shared subscriber started')
  }

  /**
   * Disconnect. The session stays, so messages for this worker wait for its return; `endSession` (a worker
   * retired for good) ends it instead, so the broker deals its share to the others from then on.
   */
  async stop (options: { endSession?: boolean } = {}): Promise<void> {
    const client = this.client
    this.client = undefined
    await client?.endAsync()
    if (options.endSession === true) {
      // [MQTT-3.1.2-6] a CONNECT with clean session discards the previous session of this client id.
      const { url, username, password, clientId } = this.options
      const ender = await mqtt.connectAsync(url, { username, password, clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 })
      await ender.endAsync()
    }
  }

  /**
   * Publish on this worker's broker connection at QoS 1, not retained: MQTT push to apps, since a worker
   * has no broker of its own (gateway/notify/channels/mqtt-push.ts). Resolves on the PUBACK.
   *
   * Refused at once while not connected: mqtt.js would hold the message until a reconnect, out of the
   * outbox's sight, whereas the outbox retries it with backoff and counts the failure. `timeoutMs` bounds a
   * send whose connection dropped after it went out (keep it under the outbox's lease, or another worker
   * sends the row too). On that timeout or on `signal`, the message is taken back from mqtt.js, so a
   * reconnect does not send it again after the outbox has given up on this attempt. A PUBACK lost with the
   * connection still means the app may get the message twice: QoS 1 is at least once, and apps dedupe on
   * the body's `id`.
   */
  async publish (topic: string, payload: Buffer, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<void> {
    const client = this.client
    if (client === undefined || !client.connected) throw new Error('shared subscriber: not connected to the broker')
    const { signal, timeoutMs } = options
    if (signal?.aborted === true) throw new Error('mqtt publish aborted')
    await new Promise<void>((resolve, reject) => {
      let settled = false
      let timer: NodeJS.Timeout | undefined
      const finish = (err: Error | undefined): boolean => {
        if (settled) return false
        settled = true
        clearTimeout(timer)
        // The outbox's signal lives as long as the outbox: a listener left on it per send would pile up.
        signal?.removeEventListener('abort', aborted)
        if (err === undefined) resolve()
        else reject(err)
        return true
      }
      const done = (err?: Error | null): void => {
        finish(err === undefined || err === null ? undefined : new Error(`mqtt publish failed: ${err.message}`))
      }
      const abandon = (why: string): void => {
        if (!finish(new Error(`mqtt publish ${why}`))) return
        // mqtt.js keeps an unacknowledged QoS 1 message and sends it again on reconnect; `outgoing` holds
        // it under its packet id with our callback. Not found: still queued behind a reconnect's replay, or
        // already being replayed (mqtt.js then wraps the callback), and so possibly sent twice.
        const id = Object.entries(client.outgoing).find(([, entry]) => entry.cb === done)?.[0]
        if (id !== undefined) client.removeOutgoingMessage(Number(id))
      }
      const aborted = (): void => abandon('aborted')
      signal?.addEventListener('abort', aborted, { once: true })
      if (timeoutMs !== undefined) timer = setTimeout(() => abandon(`got no PUBACK within ${timeoutMs} ms`), timeoutMs)
      client.publish(topic, payload, { qos: 1, retain: false }, done)
    })
  }

  private receive (topic: string, payload: Buffer): void {
    const { devices, ingest, clock, log } = this.options
    const receivedAt = clock.now()
    this.counters.received++
    try {
      const parsed = parseTopic(topic)
      // The sender is not told to subscribers; the broker authenticated it and its ACL kept it on its own
      // topics, so the id in the topic is the sender's. Check again against the registry and src/acl.ts
      // (defense in depth: a broker ACL mistake must not let one device speak for another's home).
      if (parsed.kind === 'unknown') {
        this.refuse(null, 'unknown_topic')
        return
      }
      const record = devices.authLookup(parsed.kind === 'device' ? parsed.deviceId : parsed.hubId)
      if (record === undefined || record.revokedAt !== null || record.kind === 'hub-sensor') {
        this.refuse(record?.id ?? null, 'unknown_device')
        return
      }
      const who: DeviceIdentity = { id: record.id, kind: record.kind, homeId: record.homeId }
      const allowed = mayPublish(who, topic)
      if (allowed === null) {
        this.refuse(who.id, 'unknown_topic')
        return
      }
      // Ingest handles the offline notice itself (status online:false, bridge state offline); here it only
      // decides whether the next message from the device means it is back.
      if (isOfflineNotice(allowed, payload)) {
        this.online.delete(who.id)
      } else if (!this.online.has(who.id)) {
        this.online.add(who.id)
        ingest.connected(who)
      }
      ingest.handle(who, allowed, payload, receivedAt)
    } catch (err) {
      log.error({ err }, 'shared subscriber: ingest failed')
    }
  }

  private refuse (deviceId: string | null, reason: 'unknown_device' | 'unknown_topic'): void {
    this.counters.refused++
    this.options.ingest.drop(deviceId, reason)
    // Ingest's drop log reports drops (rate-limited per device); this is only for tracing.
    this.options.log.debug({ deviceId, reason }, 'shared subscriber: message refused')
  }
}
