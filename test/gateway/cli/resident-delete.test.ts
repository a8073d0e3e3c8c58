// `anju resident delete` removes the resident and their home's telemetry (privacy), or refuses.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../../src/clock.ts'
import { EmbeddedTelemetryStore } from '../../../gateway/telemetry/embedded-store.ts'
import { createLogger } from '../../../gateway/logger.ts'
import { cliHome, cliJson, runCli } from './run-cli.ts'

describe('anju resident delete', () => {
  let dataDir: string
  let homeId: string
  let villageId: string
  const openTelemetry = (): EmbeddedTelemetryStore => new EmbeddedTelemetryStore({ path: join(dataDir, 'telemetry.db'), clock: systemClock, log: createLogger('silent') })

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'anju-cli-resident-'))
    ;({ homeId, villageId } = await cliHome(dataDir))
    const store = openTelemetry()
    await store.start()
    store.write([{ kind: 'activity', villageId, homeId, deviceId: 'dev-x', at: Date.now(), timeSource: 'gateway' }])
    await store.close()
  })
  afterAll(() => { rmSync(dataDir, { recursive: true, force: true }) })

  it('refuses with InfluxDB telemetry and leaves everything in place', async () => {
    const r = await cliJson<{ id: string }>(dataDir, ['resident', 'add', '--home', homeId, '--name', '王奶奶'])
    const res = await runCli(dataDir, ['resident', 'delete', r.id], { ANJU_TELEMETRY_BACKEND: 'influxdb' })
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('/api/v1/residents/')
    expect((await cliJson<unknown[]>(dataDir, ['resident', 'list', '--home', homeId])).length).toBe(1)
  })

  it('deletes the record and the home\'s embedded telemetry', async () => {
    const [resident] = await cliJson<Array<{ id: string }>>(dataDir, ['resident', 'list', '--home', homeId])
    const res = await runCli(dataDir, ['resident', 'delete', resident?.id as string])
    expect(res.code).toBe(0)
    expect(await cliJson<unknown[]>(dataDir, ['resident', 'list', '--home', homeId])).toEqual([])
    const store = openTelemetry()
    await store.start()
    expect((await store.lastActivityByHome()).has(homeId)).toBe(false)
    await store.close()
  })
})
