// A real InfluxDB 1.x (Debian's `influxd`, `apt-get install influxdb`) on a temp dir and free ports, for
// integration tests. Locally a missing influxd skips loudly; under CI=true it fails (a skip would hide
// that the production store was never tested).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeWithService, freePort } from './system-service.ts'

export interface Influxd {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  /** SIGTERM, wait for exit, remove the directory. */
  stop(): Promise<void>
  /** SIGKILL without cleanup (the directory stays for restart()). */
  kill(): void
  /** Start again on the same directories and port (after kill() or pause()). */
  restart(): Promise<void>
  /** SIGTERM and wait, keeping the directories for restart(): "InfluxDB is down". */
  pause(): Promise<void>
}

const INSTALL_HINT = 'apt-get install influxdb   (Debian/Ubuntu: InfluxDB 1.x, the same /write and /query API as production)'

let available: boolean | undefined
export function influxdAvailable (): boolean {
  available ??= spawnSync('influxd', ['version'], { stdio: 'ignore' }).status === 0
  return available
}

// Only what the tests need: the HTTP API and continuous queries. The monitor would write its own
// _internal database every 10 s; the subscriber, UDP/graphite/collectd/opentsdb listeners stay off.
function config (dir: string, port: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  pprof-enabled = false
[logging]
  level = "warn"
  suppress-logo = true
[continuous_queries]
  enabled = true
  log-enabled = false
`
}

async function waitForPing (url: string, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${output()}`)
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })
      if (res.status === 204) return
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`influxd did not answer /ping within ${timeoutMs} ms: ${output()}`)
}

export async function startInfluxd (): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'anju-influxd-'))
  const port = await freePort()
  const rpcPort = await freePort()
  const configPath = join(dir, 'influxdb.conf')
  writeFileSync(configPath, config(dir, port, rpcPort))
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let stderr = ''

  const launch = async (): Promise<void> => {
    stderr = ''
    const proc = spawn('influxd', ['-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
    proc.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })
    child = proc
    await waitForPing(url, proc, () => stderr)
  }
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill(signal)
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  // A SIGKILLed influxd may hold the port for a moment; restart() waits for its exit.
  let killed: Promise<void> = Promise.resolve()

  await launch()
  return {
    url,
    port,
    async stop () {
      await killed
      await terminate('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
    kill () { killed = terminate('SIGKILL') },
    async pause () { await terminate('SIGTERM') },
    async restart () {
      await killed
      await terminate('SIGTERM')
      await launch()
    }
  }
}

/** describe() that needs influxd (see system-service.ts: loud skip locally, a failure under CI=true). */
export function describeWithInfluxd (name: string, fn: () => void): void {
  describeWithService({ service: 'influxd', available: influxdAvailable, installHint: INSTALL_HINT }, name, fn)
}
