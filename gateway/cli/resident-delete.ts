// `anju resident delete`: privacy means the resident's record AND their home's telemetry go. With the
// embedded store both live in the data dir and are deleted here. InfluxDB telemetry is deleted only by
// the running gateway (DELETE /api/v1/residents/:id), which owns the spool: deleting here could race a
// replay that writes the points back, so the CLI refuses instead of leaving data behind silently.
import { join } from 'node:path'
import { systemClock } from '../../src/clock.ts'
import { AnjuError } from '../../src/errors.ts'
import { createLogger } from '../logger.ts'
import { EmbeddedTelemetryStore } from '../telemetry/embedded-store.ts'
import { cliConfig, withStores, type GlobalOptions } from './context.ts'

export async function deleteResident (globals: GlobalOptions, residentId: string): Promise<void> {
  const { config, dataDir } = cliConfig(globals)
  if (config.telemetry.backend !== 'embedded') {
    throw new AnjuError('INVALID_INPUT', 'telemetry is in InfluxDB: delete the resident through the running gateway, ' +
      `curl -X DELETE -H "authorization: Bearer <token>" <gateway>/api/v1/residents/${residentId}`)
  }
  const { homeId } = withStores(globals, 'existing', ({ places }) => places.deleteResident(residentId))
  const telemetry = new EmbeddedTelemetryStore({ path: join(dataDir, 'telemetry.db'), clock: systemClock, log: createLogger('silent') })
  try {
    await telemetry.start()
    await telemetry.deleteHome(homeId)
  } finally {
    await telemetry.close()
  }
}
