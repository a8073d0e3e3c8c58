// The InfluxDB store against the shared TelemetryStore contract: one real influxd for the file, a fresh
// database and spool per store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { InfluxTelemetryStore } from '../../../gateway/telemetry/influx-store.ts'
import { systemClock } from '../../../src/clock.ts'
import { describeWithInfluxd, startInfluxd, type Influxd } from '../../helpers/influxd.ts'
import { describeTelemetryContract } from './contract-suite.ts'

describeWithInfluxd('InfluxDB telemetry store', () => {
  let influxd: Influxd
  let databases = 0
  beforeAll(async () => { influxd = await startInfluxd() })
  afterAll(async () => { await influxd?.stop() })

  describeTelemetryContract('InfluxDB 1.x', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anju-influx-store-'))
    const store = new InfluxTelemetryStore({
      url: influxd.url,
      database: `anju_contract_${++databases}`,
      // The contract's fixed dates must stay inside the raw retention policy whatever today is.
      retentionDays: 0,
      spoolPath: join(dir, 'spool.db'),
      spoolMaxBytes: 10_000_000,
      clock: systemClock,
      log: createLogger(process.env.ANJU_TEST_LOG ?? 'silent')
    })
    return { store, cleanup: async () => { rmSync(dir, { recursive: true, force: true }) } }
  })
})
