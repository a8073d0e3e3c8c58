// MQTT push for carers' apps: the machine body on `anju/v1/push/<contactId>`, QoS 1, published by the
// gateway itself into the embedded broker. "Sent" means aedes accepted it for routing; it does not mean
// an app received it (no app credentials exist yet: device ACLs refuse every subscription here, see
// docs/notifications.md). Not retained: an old alert must not greet an app that connects tomorrow.
import type { Aedes } from 'aedes'
import type { Clock } from '../../../src/clock.ts'
import { TOPIC_ROOT } from '../../../src/topics.ts'
import { machineBody, type Channel, type Delivery } from '../channel.ts'
import type { MqttAddress } from '../contact-channels.ts'

export const pushTopic = (contactId: string): string => `${TOPIC_ROOT}/push/${contactId}`

export function mqttPushChannel (deps: { aedes: Aedes, clock: Clock }): Channel<MqttAddress> {
  return {
    name: 'mqtt',
    send (d: Delivery, address: MqttAddress, signal: AbortSignal) {
      const payload = Buffer.from(JSON.stringify(machineBody(d, deps.clock.now())))
      return new Promise<void>((resolve, reject) => {
        // A closing broker may never call back; the outbox's abort (stop) must still end this send.
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
        deps.aedes.publish({ cmd: 'publish', topic: pushTopic(address.contactId), payload, qos: 1, retain: false, dup: false },
          (err) => err ? reject(new Error(`mqtt publish failed: ${err.message}`)) : resolve())
      })
    }
  }
}
