// MQTT push for carers' apps: the machine body on `anju/v1/push/<contactId>`, QoS 1. "Sent" means a broker
// accepted it for routing; it does not mean an app received it (no app credentials exist yet: device ACLs
// refuse every subscription here, see docs/notifications.md). Not retained: an old alert must not greet an
// app that connects tomorrow.
//
// Where it is published depends on the mode, so the channel takes a publisher: the embedded gateway hands
// the message to its own aedes (aedesPublisher below); a cluster worker, which has no broker of its own,
// publishes over its connection to the external broker (SharedSubscriber.publish, docs/cluster.md).
import type { Aedes } from 'aedes'
import type { Clock } from '../../../src/clock.ts'
import { TOPIC_ROOT } from '../../../src/topics.ts'
import { machineBody, type Channel, type Delivery } from '../channel.ts'
import type { MqttAddress } from '../contact-channels.ts'

export const pushTopic = (contactId: string): string => `${TOPIC_ROOT}/push/${contactId}`

/**
 * Publish one push message at QoS 1, not retained. Resolves once the broker has accepted it; rejects (an
 * Error the outbox records and retries) otherwise, and must settle when `signal` aborts (outbox stop).
 */
export type PushPublisher = (topic: string, payload: Buffer, signal: AbortSignal) => Promise<void>

export function mqttPushChannel (deps: { publish: PushPublisher, clock: Clock }): Channel<MqttAddress> {
  return {
    name: 'mqtt',
    async send (d: Delivery, address: MqttAddress, signal: AbortSignal) {
      const payload = Buffer.from(JSON.stringify(machineBody(d, deps.clock.now())))
      await deps.publish(pushTopic(address.contactId), payload, signal)
    }
  }
}

/** Publish into the embedded broker: routed in process, so "accepted" is aedes' callback. */
export function aedesPublisher (aedes: Aedes): PushPublisher {
  return async (topic, payload, signal) => {
    if (signal.aborted) throw new Error('aborted')
    await new Promise<void>((resolve, reject) => {
      // A closing broker may never call back; the outbox's abort (stop) must still end this send.
      const aborted = (): void => reject(new Error('aborted'))
      signal.addEventListener('abort', aborted, { once: true })
      aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => {
        // The outbox's signal lives as long as the outbox: a listener left on it per send would pile up.
        signal.removeEventListener('abort', aborted)
        if (err) reject(new Error(`mqtt publish failed: ${err.message}`))
        else resolve()
      })
    })
  }
}
