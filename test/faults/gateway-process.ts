// The gateway as production runs it: `node --import tsx gateway/main.ts` in its own process, configured
// only through ANJU_* variables, so a test can SIGKILL it. Ports are 0 (free ones); the chosen ones are read
// from the "Anju gateway ready" log line.
import type { ChildProcess } from 'node:child_process'
import { startReadyProcess } from '../helpers/ready-process.ts'

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
  const { child, ready, signal } = await startReadyProcess({
    script: 'gateway/main.ts',
    name: 'gateway',
    env: { ...inherited, ANJU_LOG_LEVEL: 'info', ANJU_HTTP_HOST: '127.0.0.1', ANJU_HTTP_PORT: '0', ANJU_MQTT_HOST: '127.0.0.1', ANJU_MQTT_PORT: '0', ANJU_ADMIN_TOKEN: adminToken, ...env },
    ready: (line) => line.includes('"Anju gateway ready"') ? JSON.parse(line) as { http: string, mqtt: string } : undefined
  })
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
    kill: async () => { await signal('SIGKILL') },
    stop: async () => { await signal('SIGTERM') }
  }
}
