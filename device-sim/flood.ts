// The flood generator: a device that publishes as fast as its socket takes it, at QoS 0, to load the
// gateway and exercise its per-client rate limit. The gateway is expected to slow, then disconnect and
// briefly refuse such a client; mqtt.js reconnects and the flood resumes once it is let back in.
import { deviceTopic } from '../src/topics.ts'
import type { DeviceLink } from './mqtt-link.ts'
import type { SimStats } from './stats.ts'

/** Publishes in flight at once: enough to saturate a socket, few enough to bound memory. */
const IN_FLIGHT = 256

export function startFlood (link: DeviceLink, stats: SimStats): () => void {
  let running = true
  let inFlight = 0
  // Callbacks of publishes lost with a dropped socket may never come: count per connection.
  let generation = 0
  let scheduled = false
  let motion = false
  const topic = deviceTopic(link.id, 'motion')

  const pump = (): void => {
    scheduled = false
    const gen = generation
    while (running && link.connected && inFlight < IN_FLIGHT) {
      inFlight++
      motion = !motion
      link.publish(topic, JSON.stringify({ motion }), { qos: 0 }, (err) => {
        if (gen !== generation) return
        inFlight--
        if (err === undefined) stats.sent.flood++
        // Yield to the event loop between bursts so progress lines and other devices keep running.
        if (!scheduled && running) { scheduled = true; setImmediate(pump) }
      })
    }
  }
  link.onConnect(() => {
    generation++
    inFlight = 0
    pump()
  })
  return () => { running = false }
}
