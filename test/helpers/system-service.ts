// What every test needing a system service (influxd, chromium, mosquitto, redis-server, postgres) shares:
// a free loopback port, and a describe() that runs when the service is installed, skips loudly with the
// install command on a laptop without it, and fails under CI=true (a skip there would hide that the real
// part was never tested).
import { createServer } from 'node:net'
import { describe, it } from 'vitest'

/** A system service a test started on a free loopback port. */
export interface RunningService {
  /** How to reach it, e.g. redis://127.0.0.1:<port> */
  url: string
  port: number
  /** Stop it gently, wait for it to exit, remove its temp dir. */
  stop(): Promise<void>
  /** SIGKILL without waiting ("the machine died"); stop() still cleans up. */
  kill(): void
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface ServiceRequirement {
  /** The service's name as the messages say it ("influxd", "redis-server"). */
  service: string
  available: () => boolean
  /** The command that installs it, e.g. `apt-get install redis-server`. */
  installHint: string
}

export function describeWithService (requirement: ServiceRequirement, name: string, fn: () => void): void {
  if (requirement.available()) {
    describe(name, fn)
    return
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${requirement.service}`, () => { throw new Error(`${requirement.service} missing under CI: ${requirement.installHint}`) })
    })
    return
  }
  console.warn(`\n*** SKIPPED "${name}": ${requirement.service} is not installed. Install it with: ${requirement.installHint} ***\n`)
  describe.skip(name, fn)
}
