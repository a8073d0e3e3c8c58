// One real MQTT connection of a simulated device (the `mqtt` package, MQTT 3.1.1 as protocol v1 asks:
// aedes 1.x refuses MQTT 5 at CONNECT). Behind an interface so the orchestration can be unit-tested
// with a fake link and, later, run in worker processes.
import mqtt, { type MqttClient } from 'mqtt'
import type { SimStats } from './stats.ts'

export interface Will { topic: string, payload: string, retain: boolean }

export interface DeviceLink {
  readonly id: string
  readonly connected: boolean
  /** Resolves at the first CONNACK; rejects when the broker refuses these credentials for good. */
  readonly ready: Promise<void>
  publish (topic: string, payload: string, opts: { qos: 0 | 1, retain?: boolean }, done?: (err?: Error) => void): void
  subscribe (topic: string, onMessage: (payload: Buffer) => void): void
  /** Called at every CONNACK, including reconnects (a hub re-announces itself then). */
  onConnect (listener: () => void): void
  /** Vanish without DISCONNECT (power cut, dead battery): the broker publishes the last will. */
  drop (): void
  /** Clean DISCONNECT: the broker discards the will [MQTT-3.1.2-10]. */
  close (): Promise<void>
}

export type LinkFactory = (credentials: { id: string, secret: string }, will: Will) => DeviceLink

// CONNACK return codes, MQTT 3.1.1 table 3.1. 3 (server unavailable) is the gateway's flood
// cool-down: worth retrying. 2, 4 and 5 will not change by retrying.
const PERMANENT_REFUSALS = new Set([2, 4, 5])

export interface MqttLinkOptions {
  url: string
  stats: SimStats
  /** Reconnect delay after a lost connection; real sensors back off for seconds. */
  reconnectPeriodMs?: number
  onRefused?: (id: string, message: string) => void
}

export function mqttLinkFactory (options: MqttLinkOptions): LinkFactory {
  const { stats } = options
  return (credentials, will) => {
    let closing = false
    let connected = false
    const handlers = new Map<string, (payload: Buffer) => void>()
    const connectListeners: Array<() => void> = []
    const client: MqttClient = mqtt.connect(options.url, {
      protocolVersion: 4,
      clientId: credentials.id,
      username: credentials.id,
      password: credentials.secret,
      clean: true,
      keepalive: 60,
      reconnectPeriod: options.reconnectPeriodMs ?? 2000,
      connectTimeout: 30_000,
      // mqtt.js gives up after a refusing CONNACK by default; a flood cool-down (code 3) ends, so retry.
      // Permanent refusals are ended by hand below.
      reconnectOnConnackError: true,
      // A sensor that is offline loses its readings rather than bursting stale ones on reconnect.
      queueQoSZero: false,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: will.retain }
    })
    stats.clients++
    const ready = new Promise<void>((resolve, reject) => {
      client.on('connect', () => {
        connected = true
        stats.connected++
        stats.connects++
        resolve()
        for (const listener of connectListeners) listener()
      })
      client.on('error', (err: Error & { code?: unknown }) => {
        if (typeof err.code !== 'number') return // socket errors: mqtt.js reconnects by itself
        stats.refused++
        if (PERMANENT_REFUSALS.has(err.code)) {
          options.onRefused?.(credentials.id, err.message)
          closing = true
          client.end(true)
          reject(new Error(`${credentials.id}: ${err.message}`))
        }
      })
    })
    ready.catch(() => {}) // a refusal is reported through onRefused; nobody has to await this
    client.on('close', () => {
      if (connected) {
        connected = false
        stats.connected--
        if (!closing) stats.lost++
      }
    })
    client.on('message', (topic, payload) => handlers.get(topic)?.(payload))

    return {
      id: credentials.id,
      get connected () { return connected },
      ready,
      publish (topic, payload, opts, done) {
        if (closing) { done?.(new Error('closed')); return }
        client.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) => done?.(err ?? undefined))
      },
      subscribe (topic, onMessage) {
        handlers.set(topic, onMessage)
        // mqtt.js re-subscribes after a reconnect (resubscribe: true by default).
        client.subscribe(topic, { qos: 1 })
      },
      onConnect (listener) {
        connectListeners.push(listener)
        if (connected) listener()
      },
      drop () {
        closing = true
        client.end(true) // force: destroys the socket without sending DISCONNECT
      },
      async close () {
        if (closing) return
        closing = true
        await client.endAsync(false)
      }
    }
  }
}
