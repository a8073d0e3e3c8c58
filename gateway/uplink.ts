// What every process that takes device messages builds the same way, whichever broker they come from (the
// embedded aedes in build.ts, an external broker's shared subscription in gateway/cluster/worker.ts):
// metrics, the in-process bus, Ingest, the telemetry store and the recorder that feeds it from the bus.
import type { Clock } from '../src/clock.ts'
import type { TelemetryStore } from '../src/telemetry.ts'
import type { Config } from './config/config-schema.ts'
import { EventBus } from './events/event-bus.ts'
import { Ingest } from './ingest/ingest.ts'
import type { Logger } from './logger.ts'
import { createMetrics, type Metrics } from './metrics/metrics.ts'
import type { DeviceStore } from './registry/device-store.ts'
import type { PlacesStore } from './registry/places-store.ts'
import { createTelemetryStore } from './telemetry/create-telemetry-store.ts'
import { TelemetryRecorder } from './telemetry/telemetry-recorder.ts'

export interface Closer { name: string, close: () => unknown }

/**
 * Stop what was started, last first; a part that fails to stop is logged and the rest still stop.
 * Empties `closers`, so a second call does nothing.
 */
export async function closeInReverse (closers: Closer[], log: Logger): Promise<void> {
  for (const part of closers.splice(0).reverse()) {
    try {
      await part.close()
    } catch (err) {
      log.error({ err, part: part.name }, 'failed to stop')
    }
  }
}

export interface Uplink {
  metrics: Metrics
  bus: EventBus
  ingest: Ingest
  telemetry: TelemetryStore
}

/** Start the uplink; each part started is pushed onto `closers` (closed in reverse by the caller). */
export async function startUplink (deps: { config: Config, places: PlacesStore, devices: DeviceStore, clock: Clock, log: Logger, closers: Closer[] }): Promise<Uplink> {
  const { config, places, devices, clock, log, closers } = deps
  const metrics = createMetrics()
  const bus = new EventBus(log)
  const ingest = new Ingest({ config: config.ingest, devices, bus, metrics, clock, log: log.child({ part: 'ingest' }) })
  ingest.start()
  closers.push({ name: 'ingest', close: () => ingest.stop() })
  const telemetry = createTelemetryStore(config, { clock, log })
  await telemetry.start()
  closers.push({ name: 'telemetry', close: () => telemetry.close() })
  const recorder = new TelemetryRecorder(bus, places, telemetry)
  recorder.start()
  closers.push({ name: 'telemetry recorder', close: () => recorder.stop() })
  return { metrics, bus, ingest, telemetry }
}
