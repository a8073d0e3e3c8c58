// The gateway as production runs it: `node --import tsx gateway/main.ts` in its own process, configured
// only through ANJU_* variables, so a test can SIGKILL it. Ports are 0 (free ones); the chosen ones are read
// from the "Anju gateway ready" log line.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../', import.meta.url))

export interface GatewayProcess {
  http: string
  mqtt: string
  child: ChildProcess
  /** Admin API call with the bearer token, over real HTTP. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number, body: T }>
  /** SIGKILL: no shutdown hook runs, nothing is flushed. Resolves when the process is gone. */
  kill(): Promise<void>
  /** SIGTERM and wait (cleanup). */
  stop(): Promise<void>
}

export async function startGatewayProcess (env: Record<string, string>, adminToken: string): Promise<GatewayProcess> {
  // An unknown ANJU_* variable is a config error, so none of the test runner's own (ANJU_LONG_FAULTS) leak in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANJU_')))
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: REPO,
    env: { ...inherited, ANJU_LOG_LEVEL: 'info', ANJU_HTTP_HOST: '127.0.0.1', ANJU_HTTP_PORT: '0', ANJU_MQTT_HOST: '127.0.0.1', ANJU_MQTT_PORT: '0', ANJU_ADMIN_TOKEN: adminToken, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = await new Promise<{ http: string, mqtt: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready within 60 s: ${output.slice(-2000)}`)), 60_000)
    child.stderr.on('data', (c: Buffer) => { output = (output + c.toString()).slice(-8000) })
    child.stdout.on('data', (c: Buffer) => {
      output = (output + c.toString()).slice(-8000)
      for (const line of output.split('\n')) {
        if (!line.includes('"Anju gateway ready"')) continue
        clearTimeout(timer)
        resolve(JSON.parse(line) as { http: string, mqtt: string })
      }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}: ${output.slice(-2000)}`)) })
  })
  const gone = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  return {
    http: ready.http,
    mqtt: ready.mqtt,
    child,
    async api<T> (method: string, path: string, body?: unknown) {
      const res = await fetch(`${ready.http}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      const text = await res.text()
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T }
    },
    kill: async () => { await gone('SIGKILL') },
    stop: async () => { await gone('SIGTERM') }
  }
}
