// Chooses the telemetry store from config: embedded SQLite by default, InfluxDB 1.x in production
// (with the durable spool in <dataDir>/spool.db in front of it).
import { join } from 'node:path'
import type { Clock } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../logger.ts'
import { EmbeddedTelemetryStore } from './embedded-store.ts'
import { InfluxTelemetryStore } from './influx-store.ts'

export function createTelemetryStore (config: Config, deps: { clock: Clock, log: Logger }): TelemetryStore {
  const t = config.telemetry
  const common = { clock: deps.clock, batchSize: t.batchSize, flushIntervalMs: t.flushIntervalMs, retentionDays: t.retentionDays }
  if (t.backend === 'influxdb') {
    return new InfluxTelemetryStore({
      ...common,
      log: deps.log,
      url: t.influx.url,
      database: t.influx.database,
      username: t.influx.username,
      password: t.influx.password,
      timeoutMs: t.influx.timeoutMs,
      spoolPath: join(config.dataDir, 'spool.db'),
      spoolMaxBytes: t.spoolMaxBytes
    })
  }
  return new EmbeddedTelemetryStore({ ...common, log: deps.log.child({ part: 'telemetry' }), path: join(config.dataDir, 'telemetry.db') })
}
