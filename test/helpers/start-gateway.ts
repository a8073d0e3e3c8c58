// Start a real gateway on ephemeral ports in a fresh temp dir; `stop()` closes it and removes the dir
// unless `keepDir` (for restart tests).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type BuildOptions, type Gateway } from '../../gateway/build.ts'
import type { ConfigInput } from '../../gateway/config/config-schema.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { createLogger } from '../../gateway/logger.ts'
import type { Clock } from '../../src/clock.ts'

export interface TestGateway extends Gateway {
  dataDir: string
  /** Admin API call with the bearer token; returns status and parsed JSON body. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number, body: T }>
  stop(options?: { keepDir?: boolean }): Promise<void>
}

/** `clock` may be a plain Clock or full BuildOptions (fake timers, a recording notification sink). */
export async function startGateway (overrides: ConfigInput & { dataDir?: string } = {}, clockOrOptions?: Clock | BuildOptions): Promise<TestGateway> {
  const options: BuildOptions = clockOrOptions === undefined ? {} : 'now' in clockOrOptions ? { clock: clockOrOptions } : clockOrOptions
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'anju-test-'))
  const config = parseConfig({
    logLevel: 'silent',
    ...overrides,
    dataDir,
    http: { host: '127.0.0.1', port: 0, ...overrides.http },
    mqtt: { host: '127.0.0.1', port: 0, ...overrides.mqtt },
    ingest: { stateFlushMs: 100, ...overrides.ingest }
  })
  // A test that reads the log passes its own logger (e.g. one writing into an array).
  const gateway = await build(config, { ...options, log: options.log ?? createLogger(process.env.ANJU_TEST_LOG ?? 'silent') })
  return Object.assign(gateway, {
    dataDir,
    async api<T> (method: string, path: string, body?: unknown) {
      const res = await gateway.http.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${gateway.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        payload: body === undefined ? undefined : JSON.stringify(body)
      })
      return { status: res.statusCode, body: (res.body === '' ? null : res.json()) as T }
    },
    async stop (options: { keepDir?: boolean } = {}) {
      await gateway.close()
      if (options.keepDir !== true) rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

/** A village with one grid and one home, ready for devices. */
export async function seedHome (gw: TestGateway): Promise<{ villageId: string, gridId: string, homeId: string }> {
  const v = await gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '山下庄村' })
  const g = await gw.api<{ id: string }>('POST', '/api/v1/grids', { villageId: v.body.id, name: '第一网格' })
  const h = await gw.api<{ id: string }>('POST', '/api/v1/homes', { gridId: g.body.id, label: '山下庄 12号' })
  return { villageId: v.body.id, gridId: g.body.id, homeId: h.body.id }
}

export interface Credentials { id: string, secret: string, homeId: string, kind: string }

export async function addDevice (gw: TestGateway, homeId: string, kind: 'sensor' | 'hub' = 'sensor'): Promise<Credentials> {
  const res = await gw.api<Credentials>('POST', kind === 'sensor' ? '/api/v1/devices' : '/api/v1/hubs', { homeId })
  if (res.status !== 201) throw new Error(`device registration failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}
