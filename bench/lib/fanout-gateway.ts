// The real gateway (`gateway/main.ts`, as `npm start` runs it) in a child process of its own, so its CPU
// and RSS are read from /proc apart from the load generators'. Ephemeral ports, a temp data dir, a known
// admin token; the HTTP address is taken from its "Anju gateway ready" log line.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface GatewayChild {
  pid: number
  url: string
  /** Admin API call with the bearer token. */
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number, body: T }>
  stop(): Promise<void>
}

export async function startGatewayChild (): Promise<GatewayChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'anju-bench-gw-'))
  const token = randomBytes(24).toString('hex')
  const main = fileURLToPath(new URL('../../gateway/main.ts', import.meta.url))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ANJU_DATA_DIR: dataDir, ANJU_ADMIN_TOKEN: token, ANJU_HTTP_HOST: '127.0.0.1', ANJU_HTTP_PORT: '0', ANJU_MQTT_HOST: '127.0.0.1', ANJU_MQTT_PORT: '0', ANJU_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const kill = (): void => { if (child.exitCode === null) child.kill('SIGKILL') }
  process.once('exit', kill)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start within 60 s')), 60_000)
    child.once('exit', (code) => reject(new Error(`gateway exited (${String(code)}) before it was ready`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('Anju gateway ready')) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { http: string }).http)
    })
  })
  return {
    pid: child.pid!,
    url,
    async api<T> (method: string, path: string, body?: unknown) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      const text = await res.text()
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T }
    },
    async stop () {
      const exited = new Promise<void>((resolve) => { if (child.exitCode !== null) resolve(); else child.once('exit', () => resolve()) })
      child.kill('SIGTERM')
      const timer = setTimeout(kill, 10_000)
      await exited
      clearTimeout(timer)
      process.off('exit', kill)
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
