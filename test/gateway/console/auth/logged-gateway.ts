// A real gateway whose log lines are kept (JSON, one per line), for tests that read the one-time admin
// password from the log or assert that no secret ever reaches it. Otherwise like startGateway.
import { Writable } from 'node:stream'
import type { ConfigInput } from '../../../../gateway/config/config-schema.ts'
import { createLogger } from '../../../../gateway/logger.ts'
import type { Clock } from '../../../../src/clock.ts'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

export interface LoggedGateway extends TestGateway {
  lines: string[]
}

export async function startLoggedGateway (overrides: ConfigInput & { dataDir?: string } = {}, clock?: Clock): Promise<LoggedGateway> {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== '')); done() } })
  // debug: every line the gateway could write in production is in `lines`.
  const gateway = await startGateway(overrides, { clock, log: createLogger('debug', sink) })
  return Object.assign(gateway, { lines })
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
