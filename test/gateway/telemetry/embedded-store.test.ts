// The embedded SQLite store against the shared TelemetryStore contract, on a fresh file per run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../../../src/clock.ts'
import { createLogger } from '../../../gateway/logger.ts'
import { EmbeddedTelemetryStore } from '../../../gateway/telemetry/embedded-store.ts'
import { describeTelemetryContract } from './contract-suite.ts'

describeTelemetryContract('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anju-telemetry-'))
  const store = new EmbeddedTelemetryStore({ path: join(dir, 'telemetry.db'), clock: systemClock, log: createLogger('silent') })
  return { store, cleanup: async () => { rmSync(dir, { recursive: true, force: true }) } }
})
