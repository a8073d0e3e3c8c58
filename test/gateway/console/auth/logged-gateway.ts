// A real gateway whose log lines are kept (JSON, one per line), for tests that read the one-time admin
// password from the log or assert that no secret ever reaches it. Otherwise like startGateway.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { build, type Gateway } from '../../../../gateway/build.ts'
import type { ConfigInput } from '../../../../gateway/config/config-schema.ts'
import { parseConfig } from '../../../../gateway/config/load-config.ts'
import { createLogger } from '../../../../gateway/logger.ts'
import type { Clock } from '../../../../src/clock.ts'

export interface LoggedGateway extends Gateway {
  dataDir: string
  lines: string[]
  stop(options?: { keepDir?: boolean }): Promise<void>
}

export async function startLoggedGateway (overrides: ConfigInput & { dataDir?: string } = {}, clock?: Clock): Promise<LoggedGateway> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'anju-auth-'))
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== '')); done() } })
  const config = parseConfig({
    ...overrides, dataDir,
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { host: '127.0.0.1', port: 0 }
  })
  // debug: every line the gateway could write in production is in `lines`.
  const gateway = await build(config, { clock, log: createLogger('debug', sink) })
  return Object.assign(gateway, {
    dataDir,
    lines,
    async stop (options: { keepDir?: boolean } = {}) {
      await gateway.close()
      if (options.keepDir !== true) rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

/** The one-time password of the first-start warning, if that line was logged. */
export function firstStartPassword (lines: string[]): string | undefined {
  for (const line of lines) {
    const entry = JSON.parse(line) as { level: number, msg?: string }
    const m = /one-time password (\S+)/.exec(entry.msg ?? '')
    if (m !== null && entry.level === 40) return m[1]
  }
  return undefined
}
