// Chooses the telemetry store from config: embedded SQLite by default, InfluxDB 1.x or 2.x/3.x in
// production (with the durable spool in <dataDir>/spool.db in front of it).
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
  const spool = { log: deps.log, spoolPath: join(config.dataDir, 'spool.db'), spoolMaxBytes: t.spoolMaxBytes }
  if (t.backend === 'influxdb') {
    const { url, database, username, password, timeoutMs } = t.influx
    return new InfluxTelemetryStore({ ...common, ...spool, url, database, username, password, timeoutMs })
  }
  if (t.backend === 'influxdb2') {
    const { url, bucket, token, org, manageSchema, timeoutMs } = t.influx2
    // The config's refine guarantees a token for this backend.
    return new InfluxTelemetryStore({ ...common, ...spool, url, database: bucket, timeoutMs, v2: { token: token ?? '', org, manageSchema } })
  }
  return new EmbeddedTelemetryStore({ ...common, log: deps.log.child({ part: 'telemetry' }), path: join(config.dataDir, 'telemetry.db') })
}
